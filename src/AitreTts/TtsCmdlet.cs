using System;
using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;
using AitreTts.Core.Voices;

namespace AitreTts;

/// <summary>
/// The base of every cmdlet here. It owns the CancellationTokenSource that Ctrl+C (StopProcessing) cancels, and runs
/// asynchronous core work while the pipeline thread pumps the messages that work produces: Write* may only be
/// called from the pipeline thread, while the core logs and reports progress from any thread.
/// </summary>
public abstract class TtsCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private BlockingCollection<Action>? _pipelineWork;
    // The thread PowerShell calls Begin/Process/End on: the only one where Write* may be called.
    private int _pipelineThreadId = Environment.CurrentManagedThreadId;
    private EffectiveConfiguration? _resolved;
    private bool _warnedNoKey;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    /// <summary>A log whose messages reach this cmdlet's Verbose, Debug and Warning streams.</summary>
    internal TtsLog Log { get; }

    /// <summary>Creates the cmdlet.</summary>
    protected TtsCmdlet()
    {
        Log = new PipelineLog(this);
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    // The three entry points are sealed so that every cmdlet's TtsException becomes its ErrorRecord here, in one
    // place: a cmdlet that let one escape would report the exception's type name as its ErrorId.
    /// <inheritdoc />
    protected sealed override void BeginProcessing()
    {
        _pipelineThreadId = Environment.CurrentManagedThreadId;
        ConvertErrors(BeginProcessingCore);
    }

    /// <inheritdoc />
    protected sealed override void ProcessRecord() => ConvertErrors(ProcessRecordCore);

    /// <inheritdoc />
    protected sealed override void EndProcessing() => ConvertErrors(EndProcessingCore);

    /// <summary>What BeginProcessing does; a <see cref="TtsException"/> thrown here ends the command with its ErrorId.</summary>
    protected virtual void BeginProcessingCore()
    {
    }

    /// <summary>What ProcessRecord does; a <see cref="TtsException"/> thrown here ends the command with its ErrorId.</summary>
    protected virtual void ProcessRecordCore()
    {
    }

    /// <summary>What EndProcessing does; a <see cref="TtsException"/> thrown here ends the command with its ErrorId.</summary>
    protected virtual void EndProcessingCore()
    {
    }

    private void ConvertErrors(Action step)
    {
        try
        {
            step();
        }
        catch (TtsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(Explain(ex), null));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool while this, the pipeline thread, pumps the messages it sends
    /// (<see cref="OnPipeline"/>) until it ends.
    /// </summary>
    private protected T RunInBackground<T>(Func<CancellationToken, Task<T>> work)
    {
        using var queue = new BlockingCollection<Action>();
        _pipelineThreadId = Environment.CurrentManagedThreadId;
        _pipelineWork = queue;
        try
        {
            Task<T> task = Task.Run(() => work(CancellationToken), CancellationToken);
            task.ContinueWith(static (_, state) => ((BlockingCollection<Action>)state!).CompleteAdding(), queue, TaskScheduler.Default);
            foreach (Action action in queue.GetConsumingEnumerable())
            {
                action();
            }

            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            _pipelineWork = null;
        }
    }

    /// <summary>Runs <paramref name="action"/> on the pipeline thread: now when called there, else at the next pump.</summary>
    internal void OnPipeline(Action action)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThreadId)
        {
            action();
            return;
        }

        BlockingCollection<Action>? queue = _pipelineWork;
        if (queue is null)
        {
            // Background work that outlived its pump: Write* from this thread would throw, so the message is dropped.
            return;
        }

        try
        {
            queue.Add(action);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // The work already finished; nothing is pumping any more, so the late message is dropped.
        }
    }

    /// <summary>Writes a core error as a non-terminating ErrorRecord.</summary>
    internal void WriteTtsError(TtsException error, object? target) => WriteError(ErrorRecords.From(Explain(error), target));

    /// <summary>Stops the command with a core error: for invalid configuration, where nothing can go on.</summary>
    internal void ThrowTtsError(TtsException error, object? target) => ThrowTerminatingError(ErrorRecords.From(Explain(error), target));

    // A missing key may be missing on purpose: say so when the configuration held a key back from this server. (A 401
    // to a request without a key says the same from the core, which knows what was actually sent.)
    private TtsException Explain(TtsException error) =>
        error.ErrorId == TtsErrorIds.ApiKeyMissing && _resolved?.HeldBackKeyReason is string reason
            ? error.With(message: error.Message + " Note: " + reason + ".")
            : error;

    /// <summary>
    /// Under -WhatIf nothing is sent, so a missing key would only surface on the real run: warn about it once.
    /// </summary>
    private protected void WarnIfTheCallWouldLackAKey(EffectiveConfiguration configuration)
    {
        // The offline provider needs no key, so -WhatIf has nothing to warn about.
        if (_warnedNoKey || configuration.Provider == ProviderKind.Offline || configuration.Get(Setting.ApiKey) is not null || configuration.Get(Setting.ApiKeySecretName) is not null)
        {
            return;
        }

        try
        {
            TtsEndpoint.Create(configuration.BaseUrl, null, allowUnencryptedAuthentication: true, configuration.Provider, configuration.Get(Setting.Deployment), configuration.Get(Setting.ApiVersion));
        }
        catch (TtsException ex) when (ex.ErrorId == TtsErrorIds.ApiKeyMissing)
        {
            _warnedNoKey = true;
            WriteWarning($"The real call would fail with {ex.ErrorId}: {Explain(ex).Message}");
        }
        catch (TtsException)
        {
            // Other problems with the endpoint are reported by the real call; this warning is only about the key.
        }
    }

    /// <summary>
    /// The effective configuration for a call: its parameters over the session, environment, the profile's file
    /// settings and the defaults. A profile named explicitly must exist; the environment applies to the default profile.
    /// </summary>
    private protected EffectiveConfiguration ResolveConfiguration(TtsSettings parameters, string? profile = null, ConfigurationStore.StoredConfiguration? stored = null)
    {
        try
        {
            return _resolved = ConfigurationResolver.ResolveProfile(parameters, stored ?? ConfigurationStore.ForCurrentUser().Snapshot(Log), profile, Environment.GetEnvironmentVariable, Log);
        }
        catch (TtsException ex)
        {
            ThrowTtsError(ex, profile);
            throw;
        }
    }

    private protected SecureString ReadSecret(string name, string? vault)
    {
        // Get-Command -Module loads the module from PSModulePath if needed, as a user's own call would.
        object? getSecret = InvokeCommand.InvokeScript("Get-Command -Name Get-Secret -Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue | Select-Object -First 1")
            .Select(found => found?.BaseObject)
            .FirstOrDefault(found => found is CommandInfo);
        if (getSecret is null)
        {
            throw new TtsException(
                TtsErrorIds.SecretManagementMissing,
                TtsErrorCategory.ObjectNotFound,
                $"The profile reads its key from the secret '{name}', but the Microsoft.PowerShell.SecretManagement module is not installed. Install it (Install-PSResource Microsoft.PowerShell.SecretManagement), or store the key with Set-TtsConfiguration -ApiKey.");
        }

        Collection<PSObject> result;
        try
        {
            result = InvokeCommand.InvokeScript(
                "param($Name, $Vault) if ($Vault) { & $args[0] -Name $Name -Vault $Vault -ErrorAction Stop } else { & $args[0] -Name $Name -ErrorAction Stop }",
                true,
                PipelineResultTypes.None,
                null,
                name,
                vault,
                getSecret);
        }
        catch (Exception ex) when (ex is RuntimeException or CmdletInvocationException)
        {
            throw new TtsException(
                TtsErrorIds.SecretNotFound,
                TtsErrorCategory.ObjectNotFound,
                $"The secret '{name}'{(vault is null ? string.Empty : " in vault '" + vault + "'")} could not be read: {ex.Message}",
                ex);
        }

        object? value = result.Count == 0 ? null : result[0]?.BaseObject;
        return value switch
        {
            SecureString secure => secure,
            string plain when plain.Length > 0 => SecretText.ToSecureString(plain),
            PSCredential credential => credential.Password,
            _ => throw new TtsException(
                TtsErrorIds.SecretNotFound,
                TtsErrorCategory.InvalidData,
                $"The secret '{name}' holds no text the module can use as a key. Store the key as a string or SecureString secret."),
        };
    }

    private sealed class PipelineLog : TtsLog
    {
        private readonly TtsCmdlet _cmdlet;

        public PipelineLog(TtsCmdlet cmdlet) => _cmdlet = cmdlet;

        public override void Verbose(string message) => _cmdlet.OnPipeline(() => _cmdlet.WriteVerbose(message));

        public override void Debug(string message) => _cmdlet.OnPipeline(() => _cmdlet.WriteDebug(message));

        public override void Warning(string message) => _cmdlet.OnPipeline(() => _cmdlet.WriteWarning(message));
    }
}

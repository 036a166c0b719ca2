using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
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
using AitreTts.Core.Synthesis;
using AitreTts.Core.Voices;

namespace AitreTts;

/// <summary>
/// The base of every cmdlet here. It owns the CancellationTokenSource that Ctrl+C (StopProcessing) cancels, and runs
/// asynchronous core work while the pipeline thread pumps the messages that work produces: Write* may only be
/// called from the pipeline thread, while the core logs and reports progress from any thread.
/// </summary>
public abstract class TtsCmdlet : PSCmdlet, IDisposable
{
    // How long Ctrl+C or a stopped pipeline waits for background work to remove its temporary files.
    private static readonly TimeSpan CleanupWait = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    // Messages from background work for the pipeline thread, for the cmdlet's whole life: work started in one
    // ProcessRecord may still be running, and reporting, in the next.
    private readonly BlockingCollection<Action> _pipelineWork = new();
    private readonly List<Task> _background = new();
    // What to write for each piece of work started with StartInOrder, in the order it was started.
    private readonly InputOrder<Action> _inOrder = new();
    // The thread PowerShell calls Begin/Process/End on: the only one where Write* may be called.
    private int _pipelineThreadId = Environment.CurrentManagedThreadId;
    private EffectiveConfiguration? _resolved;
    private bool _warnedNoKey;
    private bool _startedAny;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    private readonly PipelineLog _log;

    /// <summary>A log whose messages reach this cmdlet's Verbose, Debug and Warning streams.</summary>
    internal TtsLog Log => _log;

    /// <summary>Creates the cmdlet.</summary>
    protected TtsCmdlet()
    {
        _log = new PipelineLog(this);
    }

    /// <inheritdoc />
    // Background work that is still running is waited for in Dispose, which PowerShell calls however the pipeline ends.
    protected override void StopProcessing() => _stopping.Cancel();

    // The three entry points are sealed so that every cmdlet's TtsException becomes its ErrorRecord here, in one
    // place: a cmdlet that let one escape would report the exception's type name as its ErrorId. A cmdlet ends itself
    // by throwing a TtsException (About its target); it writes a per-item error with WriteTtsError.
    /// <inheritdoc />
    protected sealed override void BeginProcessing()
    {
        // Messages nobody will see are neither formatted by the core nor carried to the pipeline thread.
        _log.ShowsVerbose = InEffect<ActionPreference>("Verbose", "VerbosePreference", Shown);
        _log.ShowsDebug = InEffect<ActionPreference>("Debug", "DebugPreference", Shown);
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
        _pipelineThreadId = Environment.CurrentManagedThreadId;
        try
        {
            step();
        }
        catch (Exception ex) when (AsTtsError(ex) is TtsException error)
        {
            ThrowTerminatingError(ToErrorRecord(error));
        }
    }

    /// <summary>Work whose failure ends the whole command, with an error about <paramref name="target"/>.</summary>
    private protected static T OrStop<T>(Func<T> work, object? target)
    {
        try
        {
            return work();
        }
        catch (TtsException ex)
        {
            throw ex.About(target);
        }
    }

    /// <summary>The one way a core error becomes an ErrorRecord, terminating or not.</summary>
    private ErrorRecord ToErrorRecord(TtsException error)
    {
        error = Explain(error);
        var category = (ErrorCategory)Enum.Parse(typeof(ErrorCategory), error.Category.ToString());
        var record = new ErrorRecord(error, error.ErrorId, category, error.TargetObject)
        {
            ErrorDetails = new ErrorDetails(error.Message),
        };
        // The core usually puts the hint in the message already; repeating it as a Recommendation is noise.
        if (error.Hint is not null && error.Message.IndexOf(error.Hint, StringComparison.Ordinal) < 0)
        {
            record.ErrorDetails.RecommendedAction = error.Hint;
        }

        return record;
    }

    // What an exception means to the user: a TtsException as it is; a bug's exception (a type the module did not expect)
    // as TtsUnexpectedError, so a script still gets a stable ErrorId and a batch goes on. PowerShell's own exceptions
    // (a stopped pipeline, a failed parameter binding) and a cancellation by Ctrl+C are left to PowerShell: null.
    private TtsException? AsTtsError(Exception ex) => ex switch
    {
        TtsException error => error,
        RuntimeException => null,
        OperationCanceledException when CancellationToken.IsCancellationRequested => null,
        ThreadAbortException or OutOfMemoryException or StackOverflowException => null,
        _ => new TtsException(
            TtsErrorIds.UnexpectedError,
            TtsErrorCategory.NotSpecified,
            $"An unexpected {ex.GetType().FullName} stopped this: {ex.Message} This is a defect of the module: please report it, with this message and what led to it.",
            ex),
    };

    /// <summary>
    /// Called when the pipeline ends, however it ends. Work still running then (a downstream Select-Object -First,
    /// a terminating error) is cancelled and waited for, so that it removes its temporary files while the process
    /// is still there to do it.
    /// </summary>
    public void Dispose()
    {
        if (RunningWork().Length > 0)
        {
            _stopping.Cancel();
            WaitForBackgroundWork();
        }

        _pipelineWork.Dispose();
        if (RunningWork().Length == 0)
        {
            // Work that outlived the wait may still read its token, so the source is then left undisposed: without a
            // timer it holds nothing but memory.
            _stopping.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private Task[] RunningWork()
    {
        lock (_background)
        {
            return _background.Where(work => !work.IsCompleted).ToArray();
        }
    }

    private void WaitForBackgroundWork()
    {
        try
        {
            Task.WaitAll(RunningWork(), CleanupWait);
        }
        catch (AggregateException)
        {
            // Their failures are reported where their results are taken, or no longer matter once stopped.
        }
    }

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool and returns at once; the messages it sends
    /// (<see cref="OnPipeline"/>) reach the pipeline when <see cref="PumpUntil"/> or <see cref="PumpPending"/> runs.
    /// </summary>
    private protected Task<T> StartInBackground<T>(Func<CancellationToken, Task<T>> work)
    {
        // The first piece of work of a call starts here, on the pipeline thread, and goes on in the background from
        // its first wait (the request): a call of one document, the loop of a scheduled task, then pays one thread
        // hop instead of two. Later pieces start on the thread pool, so that the pipeline thread is free to start
        // the next document while one reads its cache or opens its files.
        Task<T> task = _startedAny ? Task.Run(() => work(CancellationToken), CancellationToken) : StartHere(work);
        _startedAny = true;
        lock (_background)
        {
            _background.RemoveAll(finished => finished.IsCompleted);
            _background.Add(task);
        }

        // Wakes a pump waiting for this work even when it sent no message.
        task.ContinueWith(static (_, cmdlet) => ((TtsCmdlet)cmdlet!).Post(static () => { }), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private Task<T> StartHere<T>(Func<CancellationToken, Task<T>> work)
    {
        try
        {
            return work(CancellationToken);
        }
        catch (Exception ex)
        {
            // As Task.Run would: a failure before the first wait is the task's, reported where its result is taken.
            return Task.FromException<T>(ex);
        }
    }

    /// <summary>Runs the messages of background work on this, the pipeline thread, until <paramref name="work"/> has finished.</summary>
    private protected void PumpUntil(Task work)
    {
        while (!work.IsCompleted)
        {
            _pipelineWork.Take()();
        }

        PumpPending();
    }

    /// <summary>Runs the messages of background work that are already waiting, without blocking.</summary>
    private protected void PumpPending()
    {
        while (_pipelineWork.TryTake(out Action? action))
        {
            action();
        }
    }

    /// <summary>Runs <paramref name="work"/> in the background and pumps its messages until it ends.</summary>
    private protected T RunInBackground<T>(Func<CancellationToken, Task<T>> work)
    {
        Task<T> task = StartInBackground(work);
        PumpUntil(task);
        return ResultOf(task);
    }

    /// <summary>The result of finished background work; a cancellation by Ctrl+C stops the pipeline.</summary>
    private protected T ResultOf<T>(Task<T> finished)
    {
        try
        {
            return finished.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// Starts <paramref name="work"/> in the background, to be written by <paramref name="write"/> (or as an error
    /// naming <paramref name="errorTarget"/>) in the order work was started, each as soon as all before it is written.
    /// When <paramref name="mostWaiting"/> pieces are started and not yet written, waits for the oldest first.
    /// </summary>
    private protected void StartInOrder<T>(Func<CancellationToken, Task<T>> work, Action<T> write, object? errorTarget, int mostWaiting)
    {
        Task<T> task = StartInBackground(work);
        _inOrder.Add(
            () =>
            {
                try
                {
                    write(ResultOf(task));
                }
                catch (Exception ex) when (AsTtsError(ex) is TtsException error)
                {
                    // Whatever one document's failure is, it is that document's error, and the batch goes on.
                    WriteTtsError(error.About(errorTarget));
                }
            },
            task);
        while (_inOrder.Count >= mostWaiting)
        {
            PumpUntil(_inOrder.Oldest!);
            WriteFinishedInOrder();
        }
    }

    /// <summary>Queues an error found before any work started, so it still comes out in its place among the results.</summary>
    private protected void FailInOrder(TtsException error, object? target) => _inOrder.Add(() => WriteTtsError(error.About(target)), Task.CompletedTask);

    /// <summary>Writes every result whose turn has come, without waiting.</summary>
    private protected void WriteFinishedInOrder()
    {
        PumpPending();
        foreach (Action write in _inOrder.TakeFinished())
        {
            // Work may have finished after the pump above, and everything it sent was queued before it finished:
            // run that now, so its Verbose and progress come before its result and none is left behind at the end.
            PumpPending();
            write();
        }
    }

    /// <summary>Waits for all work started with <see cref="StartInOrder"/> and writes its results in order.</summary>
    private protected void WaitForAllInOrder()
    {
        while (_inOrder.Oldest is Task oldest)
        {
            PumpUntil(oldest);
            WriteFinishedInOrder();
        }
    }

    /// <summary>
    /// True when -WhatIf, -Confirm or -Verbose is in effect (given, or by preference), so work done only for their
    /// messages is worth doing.
    /// </summary>
    private protected bool ExplainsItself() =>
        InEffect<bool>("WhatIf", "WhatIfPreference", on => on)
        || InEffect<ConfirmImpact>("Confirm", "ConfirmPreference", least => least != ConfirmImpact.None && least <= ConfirmImpact.Medium)
        || InEffect<ActionPreference>("Verbose", "VerbosePreference", Shown);

    private static bool Shown(ActionPreference preference) => preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    // A common parameter as given to this call, else the preference variable it stands for.
    private protected bool InEffect<TPreference>(string parameter, string preferenceVariable, Func<TPreference, bool> preferenceOn)
    {
        if (MyInvocation.BoundParameters.TryGetValue(parameter, out object? given))
        {
            return given is SwitchParameter switchGiven ? switchGiven.IsPresent : LanguagePrimitives.IsTrue(given);
        }

        return LanguagePrimitives.TryConvertTo(GetVariableValue(preferenceVariable), out TPreference preference) && preferenceOn(preference);
    }

    /// <summary>Runs <paramref name="action"/> on the pipeline thread: now when called there, else at the next pump.</summary>
    internal void OnPipeline(Action action)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThreadId)
        {
            action();
            return;
        }

        Post(action);
    }

    private void Post(Action action)
    {
        try
        {
            _pipelineWork.Add(action);
        }
        catch (ObjectDisposedException)
        {
            // The pipeline has ended: nothing will pump again, and Write* from here would throw, so the late message is dropped.
        }
    }

    /// <summary>
    /// Writes a core error as a non-terminating ErrorRecord about its <see cref="TtsException.TargetObject"/>. (To end
    /// the command instead, throw it: the base turns it into the terminating record.)
    /// </summary>
    internal void WriteTtsError(TtsException error) => WriteError(ToErrorRecord(error));

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
        if (_warnedNoKey || configuration.ProviderProfile.IsOffline || configuration.Get(Setting.ApiKey) is not null || configuration.Get(Setting.ApiKeySecretName) is not null)
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
            throw ex.About(profile);
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

        public override void Verbose(string message)
        {
            if (ShowsVerbose)
            {
                _cmdlet.OnPipeline(() => _cmdlet.WriteVerbose(message));
            }
        }

        public override void Debug(string message)
        {
            if (ShowsDebug)
            {
                _cmdlet.OnPipeline(() => _cmdlet.WriteDebug(message));
            }
        }

        public override void Warning(string message) => _cmdlet.OnPipeline(() => _cmdlet.WriteWarning(message));
    }
}

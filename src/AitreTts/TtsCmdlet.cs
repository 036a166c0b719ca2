using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;

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

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    /// <summary>A log whose messages reach this cmdlet's Verbose, Debug and Warning streams.</summary>
    protected TtsLog Log { get; }

    /// <summary>Creates the cmdlet.</summary>
    protected TtsCmdlet()
    {
        Log = new PipelineLog(this);
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <paramref name="work"/> off the pipeline thread, pumping its messages here until it ends.</summary>
    protected T RunOnPipeline<T>(Func<CancellationToken, Task<T>> work)
    {
        using var queue = new BlockingCollection<Action>();
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
    protected internal void OnPipeline(Action action)
    {
        BlockingCollection<Action>? queue = _pipelineWork;
        if (queue is null)
        {
            action();
            return;
        }

        try
        {
            queue.Add(action);
        }
        catch (InvalidOperationException)
        {
            // The work already finished; nothing is pumping any more, so the late message is dropped.
        }
    }

    /// <summary>Writes a core error as a non-terminating ErrorRecord.</summary>
    protected void WriteTtsError(TtsException error, object? target) => WriteError(ErrorRecords.From(error, target));

    /// <summary>Stops the command with a core error: for invalid configuration, where nothing can go on.</summary>
    protected void ThrowTtsError(TtsException error, object? target) => ThrowTerminatingError(ErrorRecords.From(error, target));

    /// <summary>The effective configuration for a call: its parameters over the session, environment, file and defaults.</summary>
    protected EffectiveConfiguration ResolveConfiguration(TtsSettings parameters)
    {
        try
        {
            ConfigurationStore store = ConfigurationStore.ForCurrentUser();
            TtsSettings file = store.Load(ConfigurationStore.DefaultProfileName, Log);
            return ConfigurationResolver.Resolve(parameters, SessionConfiguration.Snapshot(), Environment.GetEnvironmentVariable, file, store.FilePath, Log);
        }
        catch (TtsException ex)
        {
            ThrowTtsError(ex, null);
            throw;
        }
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

using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace AitreTts.Core.Output;

/// <summary>
/// The hidden temporary files audio is written to before it takes its name: <c>.name.&lt;writer&gt;.&lt;random&gt;.partial</c>,
/// where the writer is the process id, its start time and a tag of the machine. A run killed by <c>kill -9</c>, a
/// time limit or a power cut cannot remove its own; the name lets a later run tell them from a live writer's.
/// </summary>
internal static class PartialFiles
{
    internal const string Extension = ".partial";
    private const int MaximumStemLength = 40;

    // Two reads of one process's start time can differ slightly (it is computed from the boot time), while a
    // reused process id belongs to a process started later than that.
    private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(2);

    private static readonly Lazy<string> MachineTagValue = new(() => Tag(Environment.MachineName));
    private static readonly Lazy<string> CurrentWriterValue = new(() =>
    {
        using Process current = Process.GetCurrentProcess();
        return Writer(current.Id, current.StartTime.ToUniversalTime().Ticks, MachineTagValue.Value);
    });

    // The temporary files of work still running in this process. Ctrl+C reaches each document's own cleanup, but
    // SIGTERM (timeout, systemd, container runtimes) ends the process with work in flight, and PowerShell ends on it
    // without raising ProcessExit. So the files are removed from a SIGTERM handler (PosixSignalRegistration, .NET 6
    // and later, reached by reflection because netstandard2.0 and .NET Framework lack it), and from ProcessExit for
    // every other orderly end.
    private static readonly ConcurrentDictionary<string, bool> Live = new(StringComparer.Ordinal);
    private static readonly object ExitLock = new();
    private static bool _exitHooked;
    private static volatile bool _exiting;
    private const int PosixSigterm = -4; // PosixSignal.SIGTERM

    // Kept for the life of the process: a registration that is collected stops handling the signal.
    private static object? _terminationRegistration;

    /// <summary>The writer part of this process's temporary file names.</summary>
    internal static string CurrentWriter => CurrentWriterValue.Value;

    /// <summary>A tag for this machine, so that a folder shared by several machines only loses what this one left.</summary>
    internal static string MachineTag => MachineTagValue.Value;

    /// <summary>The writer part of a temporary file name.</summary>
    internal static string Writer(int processId, long startTicks, string machineTag) =>
        string.Format(CultureInfo.InvariantCulture, "{0}-{1}-{2}", processId, startTicks, machineTag);

    /// <summary>A new temporary name for the file <paramref name="targetName"/>.</summary>
    internal static string NewName(string targetName)
    {
        string stem = Path.GetFileNameWithoutExtension(targetName);
        if (stem.Length > MaximumStemLength)
        {
            stem = stem.Substring(0, MaximumStemLength);
        }

        return "." + stem + "." + CurrentWriter + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + Extension;
    }

    /// <summary>
    /// Removes the temporary files in <paramref name="directory"/> whose writer ran on this machine and has ended.
    /// Files of a live process, of another machine, or named otherwise are left alone. Best effort: a file that
    /// cannot be removed stays.
    /// </summary>
    /// <returns>How many files were removed.</returns>
    internal static int RemoveDead(string directory)
    {
        int removed = 0;
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory, "." + "*" + Extension))
            {
                string name = Path.GetFileName(path);
                if (TryParseWriter(name, out int processId, out long startTicks, out string machine)
                    && string.Equals(machine, MachineTag, StringComparison.Ordinal)
                    && name.IndexOf("." + CurrentWriter + ".", StringComparison.Ordinal) < 0
                    && !IsRunning(processId, startTicks))
                {
                    try
                    {
                        File.Delete(path);
                        removed++;
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
        }

        return removed;
    }

    /// <summary>
    /// Notes a temporary file this process just created, so that it is removed if the process is ended (SIGTERM)
    /// before the file is committed or deleted. Throws when the process is already ending: no new file may outlive it.
    /// </summary>
    internal static void Track(string path)
    {
        if (!_exitHooked)
        {
            lock (ExitLock)
            {
                if (!_exitHooked)
                {
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveLive();
                    _terminationRegistration = RegisterTerminationSignal();
                    _exitHooked = true;
                }
            }
        }

        Live[path] = true;
        if (_exiting)
        {
            DeleteQuietly(path);
            throw new OperationCanceledException("The process is ending.");
        }
    }

    /// <summary>Notes that a tracked temporary file took its final name, so it is no longer this process's to remove.</summary>
    internal static void Untrack(string path) => Live.TryRemove(path, out _);

    private static object? RegisterTerminationSignal()
    {
        try
        {
            Assembly interop = typeof(Marshal).Assembly;
            Type? registration = Type.GetType("System.Runtime.InteropServices.PosixSignalRegistration, System.Runtime.InteropServices") ?? interop.GetType("System.Runtime.InteropServices.PosixSignalRegistration");
            Type? signal = Type.GetType("System.Runtime.InteropServices.PosixSignal, System.Runtime.InteropServices") ?? interop.GetType("System.Runtime.InteropServices.PosixSignal");
            Type? context = Type.GetType("System.Runtime.InteropServices.PosixSignalContext, System.Runtime.InteropServices") ?? interop.GetType("System.Runtime.InteropServices.PosixSignalContext");
            if (registration is null || signal is null || context is null)
            {
                return null;
            }

            Type handlerType = typeof(Action<>).MakeGenericType(context);
            MethodInfo? create = registration.GetMethod("Create", new[] { signal, handlerType });
            MethodInfo onSignal = typeof(PartialFiles).GetMethod(nameof(OnTerminationSignal), BindingFlags.NonPublic | BindingFlags.Static)!;
            return create?.Invoke(null, new object[] { Enum.ToObject(signal, PosixSigterm), Delegate.CreateDelegate(handlerType, onSignal) });
        }
        catch (Exception ex) when (ex is TargetInvocationException or PlatformNotSupportedException or ArgumentException or MemberAccessException)
        {
            // Windows has no SIGTERM: ProcessExit is all there is.
            return null;
        }
    }

    // The context is not cancelled, so the process still ends as SIGTERM asks.
    private static void OnTerminationSignal(object context) => RemoveLive();

    // Runs on the thread that ends the process, while the work that made the files may still be running: a file
    // deleted under an open stream just goes (Unix), and one that cannot be deleted stays for RemoveDead.
    private static void RemoveLive()
    {
        _exiting = true;
        foreach (string path in Live.Keys)
        {
            DeleteQuietly(path);
        }
    }

    /// <summary>Removes a temporary file of this run if it is there; a file that cannot be removed stays, hidden by its leading dot.</summary>
    internal static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
            Untrack(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a virus scanner may hold it open; the next run into the folder removes it (RemoveDead).
        }
    }

    /// <summary>Reads the writer from a name made by <see cref="NewName"/>.</summary>
    internal static bool TryParseWriter(string fileName, out int processId, out long startTicks, out string machineTag)
    {
        processId = 0;
        startTicks = 0;
        machineTag = string.Empty;
        if (!fileName.StartsWith(".", StringComparison.Ordinal) || !fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }

        // .stem.writer.random.partial; the stem may hold dots of its own, so the parts are counted from the end.
        string[] parts = fileName.Split('.');
        if (parts.Length < 5)
        {
            return false;
        }

        string[] writer = parts[parts.Length - 3].Split('-');
        return writer.Length == 3
            && int.TryParse(writer[0], NumberStyles.None, CultureInfo.InvariantCulture, out processId)
            && long.TryParse(writer[1], NumberStyles.None, CultureInfo.InvariantCulture, out startTicks)
            && (machineTag = writer[2]).Length > 0;
    }

    private static bool IsRunning(int processId, long startTicks)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(processId);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        using (process)
        {
            try
            {
                if (process.HasExited)
                {
                    return false;
                }

                long running = process.StartTime.ToUniversalTime().Ticks;
                return Math.Abs(running - startTicks) <= StartTimeTolerance.Ticks;
            }
            catch (InvalidOperationException)
            {
                // It ended between the two questions.
                return false;
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // Another user's process whose start time we may not read: it might be the writer, so it is alive.
                return true;
            }
        }
    }

    private static string Tag(string text)
    {
        using SHA256 sha = SHA256.Create();
        byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToUpperInvariant()));
        var hex = new StringBuilder(6);
        for (int i = 0; i < 3; i++)
        {
            hex.Append(digest[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}

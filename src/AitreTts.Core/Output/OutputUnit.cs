using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Output;

/// <summary>The final paths of a committed <see cref="OutputUnit"/>.</summary>
internal sealed record CommittedOutput(string AudioPath, string? SidecarPath);

/// <summary>
/// The files of one document: the audio and, when asked for, a sidecar beside it (subtitles). They are one output:
/// the same rules decide both before anything is sent (<see cref="Prepare"/>: -NoClobber, read-only files, folders
/// and devices in the way), a generated name must be free for both, and they are committed together, so that on
/// any failure neither changes (a failure between the two renames puts the first back).
/// </summary>
internal sealed class OutputUnit
{
    public OutputUnit(OutputTarget audio, string? sidecarExtension = null)
    {
        Audio = audio;
        Sidecar = sidecarExtension is null ? null : audio.Beside(sidecarExtension, "subtitles");
    }

    public OutputTarget Audio { get; }

    /// <summary>The sidecar's target, or null when there is none.</summary>
    public OutputTarget? Sidecar { get; }

    /// <summary>The audio's preferred full path: what -WhatIf shows.</summary>
    public string PreferredPath => Audio.PreferredPath;

    /// <summary>How many temporary files of dead runs <see cref="Prepare"/> removed.</summary>
    public int RemovedPartialFiles => Audio.RemovedPartialFiles + (Sidecar?.RemovedPartialFiles ?? 0);

    /// <summary>
    /// Checks both files before any request is sent (so no money is spent on audio that cannot be saved): see
    /// <see cref="OutputTarget.Prepare"/>.
    /// </summary>
    /// <param name="createDirectory">True when the directory may be created (it is under -OutputDirectory).</param>
    /// <param name="removePartialFiles">False when this call has already looked for them in this directory.</param>
    public void Prepare(bool createDirectory, bool removePartialFiles = true)
    {
        Audio.Prepare(createDirectory, removePartialFiles);
        Sidecar?.Prepare(createDirectory: false, removePartialFiles && !string.Equals(Sidecar.Directory, Audio.Directory, StringComparison.Ordinal));
    }

    /// <summary>Starts writing the unit: its temporary files, then one commit.</summary>
    public OutputWrite BeginWrite() => new(this);
}

/// <summary>
/// One write of an <see cref="OutputUnit"/>: every temporary file it creates is removed when it is disposed, unless
/// it took its final name; a process ended by SIGTERM removes them too (<see cref="PartialFiles.Track"/>).
/// </summary>
internal sealed class OutputWrite : IDisposable
{
    private readonly OutputUnit _unit;
    private readonly List<(FileStream Stream, string Path)> _temporary = new();

    internal OutputWrite(OutputUnit unit) => _unit = unit;

    /// <summary>A new, empty temporary file beside the audio.</summary>
    public FileStream CreateTemporaryFile() => Remember(_unit.Audio);

    /// <summary>A new, empty temporary file beside the sidecar's target.</summary>
    public FileStream CreateSidecarFile() => Remember(_unit.Sidecar ?? throw new InvalidOperationException("This output has no sidecar."));

    /// <summary>
    /// Puts a finished temporary file on disk and closes it, so that a power cut after its rename never leaves an
    /// empty or partial file under the final name. Returns its path, for reading it back and for <see cref="Commit"/>.
    /// </summary>
    public string Seal(FileStream stream)
    {
        using (stream)
        {
            stream.Flush(flushToDisk: true);
            return stream.Name;
        }
    }

    /// <summary>Moves sealed temporary files into place together, and returns where they went.</summary>
    public CommittedOutput Commit(string audioTemporary, string? sidecarTemporary)
    {
        if (sidecarTemporary is null || _unit.Sidecar is null)
        {
            return new CommittedOutput(_unit.Audio.Commit(audioTemporary), null);
        }

        return _unit.Audio.Mode == OutputMode.Unique
            ? CommitGenerated(_unit.Audio, _unit.Sidecar, audioTemporary, sidecarTemporary)
            : CommitNamed(_unit.Audio, _unit.Sidecar, audioTemporary, sidecarTemporary);
    }

    public void Dispose()
    {
        lock (_temporary)
        {
            foreach ((FileStream stream, string path) in _temporary)
            {
                stream.Dispose();
                PartialFiles.DeleteQuietly(path);
            }

            _temporary.Clear();
        }
    }

    private FileStream Remember(OutputTarget target)
    {
        FileStream stream = target.CreateTemporaryFile(out string path);
        lock (_temporary)
        {
            _temporary.Add((stream, path));
        }

        return stream;
    }

    // Names the user gave: both are checked again just before the first rename, so that neither is replaced when
    // the other may not be; the replaced audio is kept as a backup until the sidecar is in place.
    private static CommittedOutput CommitNamed(OutputTarget audio, OutputTarget sidecar, string audioTemporary, string sidecarTemporary)
    {
        try
        {
            audio.CheckName();
            sidecar.CheckName();
        }
        catch (Exception ex) when (ex is not TtsException)
        {
            throw FileErrors.From(ex, audio.Directory);
        }

        string backup = Path.Combine(audio.Directory, PartialFiles.NewName(Path.GetFileName(audio.CandidatePath(0))));
        PartialFiles.Track(backup);
        try
        {
            string audioPath = audio.Commit(audioTemporary, backup);
            try
            {
                return new CommittedOutput(audioPath, sidecar.Commit(sidecarTemporary));
            }
            catch
            {
                PutBack(audio.CandidatePath(0), backup);
                throw;
            }
        }
        finally
        {
            PartialFiles.DeleteQuietly(backup);
        }
    }

    // A generated name must be free for both files: when the sidecar's is taken, the audio leaves its name again and
    // the pair moves on to the next candidate together.
    private static CommittedOutput CommitGenerated(OutputTarget audio, OutputTarget sidecar, string audioTemporary, string sidecarTemporary)
    {
        try
        {
            for (int attempt = 0; attempt < OutputTarget.MaximumCandidates; attempt++)
            {
                string? audioPath = audio.TryCommitAt(audioTemporary, attempt, out bool audioMoved);
                if (audioPath is null)
                {
                    continue;
                }

                string? sidecarPath;
                try
                {
                    sidecarPath = sidecar.TryCommitAt(sidecarTemporary, attempt, out _);
                }
                catch
                {
                    TakeBack(audioPath, audioTemporary, audioMoved);
                    throw;
                }

                if (sidecarPath is not null)
                {
                    // A candidate that already held the same bytes was reused; the temporary copy goes with Dispose.
                    PartialFiles.Untrack(audioTemporary);
                    PartialFiles.Untrack(sidecarTemporary);
                    return new CommittedOutput(audioPath, sidecarPath);
                }

                TakeBack(audioPath, audioTemporary, audioMoved);
            }
        }
        catch (Exception ex) when (ex is not TtsException)
        {
            throw FileErrors.From(ex, audio.Directory);
        }

        throw audio.NoFreeName();
    }

    // The temporary name is this write's alone, so the audio can always go back to it.
    private static void TakeBack(string committedPath, string temporaryPath, bool moved)
    {
        if (moved)
        {
            File.Move(committedPath, temporaryPath);
        }
    }

    // Best effort, because the sidecar's own error is what the caller must see: the replaced audio comes back from
    // its backup, or the audio that was new is removed.
    private static void PutBack(string audioPath, string backup)
    {
        try
        {
            if (!File.Exists(backup))
            {
                File.Delete(audioPath);
                return;
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                // ReplaceFile refuses a read-only target; the backup keeps its own attributes.
                File.SetAttributes(audioPath, File.GetAttributes(audioPath) & ~FileAttributes.ReadOnly);
            }

            File.Replace(backup, audioPath, null);
            PartialFiles.Untrack(backup);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}

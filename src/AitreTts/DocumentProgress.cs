using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using AitreTts.Core.Synthesis;

namespace AitreTts;

/// <summary>
/// Progress of a batch of documents written side by side: the batch is the parent activity, and each long document
/// being written has its chunks as a child under it. A single document needs no batch bar, and a document of one
/// chunk no chunk bar. Called on the pipeline thread only.
/// </summary>
internal sealed class DocumentProgress
{
    private const string Activity = "Invoke-TextToSpeech";
    private const int BatchProgressId = 1;

    private readonly Action<ProgressRecord> _write;
    // File names of the documents being written, by their progress id (in the order they started).
    private readonly SortedDictionary<int, string> _running = new();
    private readonly HashSet<int> _chunkBars = new();
    private int _started;
    private int _finished;
    private bool _batchShown;

    public DocumentProgress(Action<ProgressRecord> write) => _write = write;

    private int ParentId => _batchShown ? BatchProgressId : -1;

    /// <summary>Notes a document that is starting; returns the id its later reports name.</summary>
    public int StartDocument(string path)
    {
        int id = BatchProgressId + ++_started;
        _running[id] = Path.GetFileName(path);

        // From the second document on, the batch is worth showing.
        if (_started > 1)
        {
            _batchShown = true;
            WriteBatch();
        }

        return id;
    }

    public void ReportChunks(int id, SynthesisProgress progress)
    {
        if (progress.ChunksTotal < 2 || !_running.TryGetValue(id, out string? fileName))
        {
            return;
        }

        _chunkBars.Add(id);
        int percent = progress.CharactersTotal == 0 ? 0 : (int)(100L * progress.CharactersDone / progress.CharactersTotal);
        _write(new ProgressRecord(id, "Synthesizing " + fileName, string.Format(CultureInfo.CurrentCulture, "{0} of {1} chunks, {2:N0} of {3:N0} characters", progress.ChunksDone, progress.ChunksTotal, progress.CharactersDone, progress.CharactersTotal))
        {
            PercentComplete = Math.Min(100, percent),
            ParentActivityId = ParentId,
        });
    }

    /// <summary>Notes a document that has finished, written or failed.</summary>
    public void EndDocument(int id)
    {
        if (!_running.Remove(id))
        {
            return;
        }

        _finished++;
        if (_chunkBars.Remove(id))
        {
            _write(new ProgressRecord(id, "Synthesizing", "Done") { RecordType = ProgressRecordType.Completed, ParentActivityId = ParentId });
        }

        if (_batchShown)
        {
            WriteBatch();
        }
    }

    public void Complete()
    {
        foreach (int id in _running.Keys.ToArray())
        {
            EndDocument(id);
        }

        if (_batchShown)
        {
            _batchShown = false;
            _write(new ProgressRecord(BatchProgressId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>
    /// <see cref="Complete"/> for a command that may be ending with an exception (-ErrorAction Stop, a downstream
    /// Select-Object -First): its bars are closed where PowerShell still takes a record; a stopped pipeline takes none.
    /// </summary>
    public void CompleteAsTheCommandEnds()
    {
        try
        {
            Complete();
        }
        catch (Exception ex) when (ex is PipelineStoppedException or PSInvalidOperationException)
        {
        }
    }

    private void WriteBatch()
    {
        const int NamesShown = 3;
        string writing = string.Join(", ", _running.Values.Take(NamesShown))
            + (_running.Count > NamesShown ? string.Format(CultureInfo.CurrentCulture, " and {0} more", _running.Count - NamesShown) : string.Empty);
        string status = _running.Count == 0
            ? string.Format(CultureInfo.CurrentCulture, "Documents finished: {0}", _finished)
            : string.Format(CultureInfo.CurrentCulture, "Documents finished: {0}; writing {1}", _finished, writing);
        _write(new ProgressRecord(BatchProgressId, Activity, status));
    }
}

using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using AitreTts.Core.Synthesis;

namespace AitreTts;

/// <summary>
/// Progress of a batch of documents: the batch is the parent activity, the chunks of the document being written are
/// its child. A single document needs no batch bar, and a document of one chunk no chunk bar.
/// </summary>
internal sealed class DocumentProgress
{
    private const string Activity = "Invoke-TextToSpeech";
    private const int BatchProgressId = 1;
    private const int ChunkProgressId = 2;

    private readonly Action<ProgressRecord> _write;
    private string _fileName = string.Empty;
    private int _documentsDone;
    private bool _batchShown;
    private bool _chunksShown;

    public DocumentProgress(Action<ProgressRecord> write) => _write = write;

    private int ParentId => _batchShown ? BatchProgressId : -1;

    public void StartDocument(string path)
    {
        _fileName = Path.GetFileName(path);

        // From the second document on, the batch is worth showing.
        if (_documentsDone == 0)
        {
            return;
        }

        _batchShown = true;
        _write(new ProgressRecord(BatchProgressId, Activity, string.Format(CultureInfo.CurrentCulture, "Documents written: {0}; now writing {1}", _documentsDone, _fileName)));
    }

    public void ReportChunks(SynthesisProgress progress)
    {
        if (progress.ChunksTotal < 2)
        {
            return;
        }

        _chunksShown = true;
        int percent = progress.CharactersTotal == 0 ? 0 : (int)(100L * progress.CharactersDone / progress.CharactersTotal);
        _write(new ProgressRecord(ChunkProgressId, "Synthesizing " + _fileName, string.Format(CultureInfo.CurrentCulture, "{0} of {1} chunks, {2:N0} of {3:N0} characters", progress.ChunksDone, progress.ChunksTotal, progress.CharactersDone, progress.CharactersTotal))
        {
            PercentComplete = Math.Min(100, percent),
            ParentActivityId = ParentId,
        });
    }

    public void EndDocument(bool written)
    {
        if (_chunksShown)
        {
            _chunksShown = false;
            _write(new ProgressRecord(ChunkProgressId, "Synthesizing", "Done") { RecordType = ProgressRecordType.Completed, ParentActivityId = ParentId });
        }

        if (written)
        {
            _documentsDone++;
        }
    }

    public void Complete()
    {
        EndDocument(written: false);
        if (_batchShown)
        {
            _batchShown = false;
            _write(new ProgressRecord(BatchProgressId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}

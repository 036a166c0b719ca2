using System.Collections.Generic;
using AitreTts.Core;

namespace AitreTts.Tests.Support;

/// <summary>A TtsLog that keeps every message, so tests can assert what the core said and that no secret was in it.</summary>
internal sealed class RecordingLog : TtsLog
{
    public List<string> VerboseMessages { get; } = new();

    public List<string> Debugs { get; } = new();

    public List<string> Warnings { get; } = new();

    public override void Verbose(string message)
    {
        lock (VerboseMessages)
        {
            VerboseMessages.Add(message);
        }
    }

    public override void Debug(string message)
    {
        lock (Debugs)
        {
            Debugs.Add(message);
        }
    }

    public override void Warning(string message)
    {
        lock (Warnings)
        {
            Warnings.Add(message);
        }
    }
}

using System;

namespace AitreTts.Core.Voices;

/// <summary>A model a server offers, with the date it is retired where one is announced.</summary>
public sealed class TtsModel
{
    /// <summary>Creates a model entry.</summary>
    public TtsModel(string id, string ownedBy, DateTimeOffset? shutdownDate, bool? isSpeech, string source)
    {
        Id = id;
        OwnedBy = ownedBy;
        ShutdownDate = shutdownDate;
        IsSpeech = isSpeech;
        Source = source;
    }

    /// <summary>The name sent as <c>model</c>.</summary>
    public string Id { get; }

    /// <summary>Who the server says owns it; empty when it does not say.</summary>
    public string OwnedBy { get; }

    /// <summary>When the server stops serving it; null until a date is announced.</summary>
    public DateTimeOffset? ShutdownDate { get; }

    /// <summary>True for a text-to-speech model; null where that cannot be told from the list.</summary>
    public bool? IsSpeech { get; }

    /// <summary>Where the entry comes from: "Built-in" or the server's URL.</summary>
    public string Source { get; }

    /// <summary>The model's id, as -Model takes it.</summary>
    public override string ToString() => Id;
}

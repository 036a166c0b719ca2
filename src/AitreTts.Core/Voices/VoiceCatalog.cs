using System;
using System.Collections.Generic;
using System.Linq;

namespace AitreTts.Core.Voices;

/// <summary>A voice a server offers.</summary>
public sealed class TtsVoice
{
    /// <summary>Creates a voice.</summary>
    public TtsVoice(string name, string description, IReadOnlyList<string> models, string source)
    {
        Name = name;
        Description = description;
        Models = models;
        Source = source;
    }

    /// <summary>The name sent as <c>voice</c>.</summary>
    public string Name { get; }

    /// <summary>What it sounds like.</summary>
    public string Description { get; }

    /// <summary>The models known to support it; empty when the server did not say.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Where the entry comes from: "Built-in" or the server's URL.</summary>
    public string Source { get; }

    /// <summary>The voice's name, as -Voice takes it.</summary>
    public override string ToString() => Name;
}

/// <summary>OpenAI's built-in voices and the models each works with, as OpenAI's text-to-speech guide lists them.</summary>
internal static class VoiceCatalog
{
    /// <summary>The classic models, which support 9 of the 13 voices.</summary>
    public static IReadOnlyList<string> ClassicModels { get; } = new[] { "tts-1", "tts-1-hd" };

    /// <summary>The model that supports every voice and takes instructions.</summary>
    public const string InstructableModel = "gpt-4o-mini-tts";

    /// <summary>The dated snapshot of <see cref="InstructableModel"/> (openai-python, types/audio/speech_model.py).</summary>
    public const string InstructableSnapshot = "gpt-4o-mini-tts-2025-12-15";

    private static readonly string[] AllModels = { "tts-1", "tts-1-hd", InstructableModel };

    /// <summary>Every speech model OpenAI documents, the dated snapshot included.</summary>
    public static IReadOnlyList<string> Models { get; } = new[] { "tts-1", "tts-1-hd", InstructableModel, InstructableSnapshot };
    private static readonly string[] NewModelsOnly = { InstructableModel };

    /// <summary>The 13 OpenAI voices.</summary>
    public static IReadOnlyList<TtsVoice> BuiltIn { get; } = new[]
    {
        new TtsVoice("alloy", "Neutral and balanced", AllModels, "Built-in"),
        new TtsVoice("ash", "Clear and direct", AllModels, "Built-in"),
        new TtsVoice("ballad", "Warm and melodic", NewModelsOnly, "Built-in"),
        new TtsVoice("coral", "Warm and friendly", AllModels, "Built-in"),
        new TtsVoice("echo", "Calm male", AllModels, "Built-in"),
        new TtsVoice("fable", "Narrative, British accent", AllModels, "Built-in"),
        new TtsVoice("nova", "Energetic female", AllModels, "Built-in"),
        new TtsVoice("onyx", "Deep male", AllModels, "Built-in"),
        new TtsVoice("sage", "Calm and measured", AllModels, "Built-in"),
        new TtsVoice("shimmer", "Soft female", AllModels, "Built-in"),
        new TtsVoice("verse", "Expressive and versatile", NewModelsOnly, "Built-in"),
        new TtsVoice("marin", "Natural and conversational", NewModelsOnly, "Built-in"),
        new TtsVoice("cedar", "Natural and grounded", NewModelsOnly, "Built-in"),
    };

    /// <summary>
    /// The model family used to judge voice support: dated variants such as <c>gpt-4o-mini-tts-2025-12-15</c>
    /// count as their base model; unknown names (gateways, local servers) return null, meaning "cannot tell".
    /// </summary>
    public static string? KnownModelFamily(string model)
    {
        foreach (string known in AllModels.OrderByDescending(m => m.Length))
        {
            if (string.Equals(model, known, StringComparison.OrdinalIgnoreCase)
                || model.StartsWith(known + "-2", StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }

    /// <summary>
    /// True only when the model is an OpenAI model known not to support the voice. An unknown model is not judged,
    /// nor is a custom voice (voice_1234), which the catalogue cannot know.
    /// </summary>
    public static bool IsKnownUnsupported(string model, string voice)
    {
        string? family = KnownModelFamily(model);
        if (family is null || SpeechRequest.IsCustomVoiceId(voice))
        {
            return false;
        }

        TtsVoice? entry = BuiltIn.FirstOrDefault(v => string.Equals(v.Name, voice, StringComparison.OrdinalIgnoreCase));
        return entry is null || !entry.Models.Contains(family, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>True where a model list's id tells a speech model: the catalogue's, or any id that names tts.</summary>
    public static bool IsSpeechModel(string model) =>
        KnownModelFamily(model) is not null || model.IndexOf("tts", StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>True for the models known not to take <c>instructions</c>.</summary>
    public static bool IgnoresInstructions(string model) =>
        KnownModelFamily(model) is string family && ClassicModels.Contains(family, StringComparer.OrdinalIgnoreCase);
}

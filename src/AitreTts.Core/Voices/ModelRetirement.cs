using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Voices;

/// <summary>What a model's shutdown date means for a call: nothing, a warning (once a session), or a refusal.</summary>
/// <param name="Refusal">The model is retired: the call fails before sending.</param>
/// <param name="Warning">The model has a shutdown date ahead; null when it has none or this session was already told.</param>
internal sealed record RetirementVerdict(TtsException? Refusal, string? Warning)
{
    public static readonly RetirementVerdict None = new(null, null);

    internal static RetirementVerdict Refuse(TtsException refusal) => new(refusal, null);

    internal static RetirementVerdict Warn(string warning) => new(null, warning);
}

/// <summary>
/// Judges a model by the shutdown date its server's model list gives (<c>GET /v1/models</c>, <c>shutdown_date</c>):
/// scheduled tasks built on a model fail on the day it is retired, so the module warns while there is time and,
/// after the date, refuses before sending, naming a replacement.
/// </summary>
internal static class ModelRetirement
{
    // Server and model pairs already warned about this session: a warning each call would be noise in a loop.
    private static readonly ConcurrentDictionary<string, byte> Warned = new(StringComparer.OrdinalIgnoreCase);

    public static RetirementVerdict Judge(string model, IReadOnlyList<TtsModel> models, string server, DateTimeOffset now)
    {
        TtsModel? entry = models.FirstOrDefault(m => string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase));
        if (entry?.ShutdownDate is not DateTimeOffset shutdown)
        {
            return RetirementVerdict.None;
        }

        string date = shutdown.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string replacement = Replacement(model, models);
        if (now >= shutdown)
        {
            return RetirementVerdict.Refuse(new TtsException(
                TtsErrorIds.ModelRetired,
                TtsErrorCategory.InvalidOperation,
                $"The model '{model}' was retired on {date} (the server's model list gives that shutdown date); nothing was sent. Use -Model {replacement} instead, or store it with Set-TtsConfiguration -Model {replacement}.")
            { TargetObject = model });
        }

        return Warned.TryAdd(server + "|" + model, 0)
            ? RetirementVerdict.Warn($"The model '{model}' will be retired on {date}; calls fail from then on. Move to -Model {replacement} (Set-TtsConfiguration -Model {replacement}). This is said once a session.")
            : RetirementVerdict.None;
    }

    /// <summary>
    /// A model to move to: a dated snapshot's own family where that is not retiring too, else the listed speech model
    /// with no shutdown date whose name is closest, else OpenAI's current model.
    /// </summary>
    public static string Replacement(string model, IReadOnlyList<TtsModel> models)
    {
        bool Retiring(string id) => models.Any(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase) && m.ShutdownDate is not null);
        if (VoiceCatalog.KnownModelFamily(model) is string family && !string.Equals(family, model, StringComparison.OrdinalIgnoreCase) && !Retiring(family))
        {
            return family;
        }

        return models
            .Where(m => m.IsSpeech == true && m.ShutdownDate is null && !string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(m => CommonPrefix(m.Id, model))
            .Select(m => m.Id)
            .FirstOrDefault() ?? VoiceCatalog.InstructableModel;
    }

    /// <summary>Forgets the warnings given, so a test can see the first one again.</summary>
    internal static void ForgetWarnings() => Warned.Clear();

    private static int CommonPrefix(string a, string b)
    {
        int length = 0;
        while (length < a.Length && length < b.Length && char.ToLowerInvariant(a[length]) == char.ToLowerInvariant(b[length]))
        {
            length++;
        }

        return length;
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using AitreTts.Core;
using AitreTts.Core.Voices;

namespace AitreTts.Completers;

/// <summary>Completion helpers shared by the completers: never throw, stay fast, match with WildcardPattern.</summary>
internal static class Completion
{
    public static IEnumerable<CompletionResult> Matching(IEnumerable<(string Value, string Tooltip)> candidates, string wordToComplete)
    {
        var pattern = new WildcardPattern(WildcardPattern.Escape(StripQuotes(wordToComplete)) + "*", WildcardOptions.IgnoreCase);
        foreach ((string value, string tooltip) in candidates)
        {
            if (pattern.IsMatch(value))
            {
                yield return new CompletionResult(value, value, CompletionResultType.ParameterValue, string.IsNullOrEmpty(tooltip) ? value : tooltip);
            }
        }
    }

    private static string StripQuotes(string word) => (word ?? string.Empty).Trim('\'', '"');
}

/// <summary>Completes -Voice from the voice catalogue.</summary>
public sealed class VoiceCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            return Completion.Matching(VoiceCatalog.BuiltIn.Select(v => (v.Name, v.Description + " (" + string.Join(", ", v.Models) + ")")), wordToComplete).ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}

/// <summary>Completes -Model with the known OpenAI models.</summary>
public sealed class ModelCompleter : IArgumentCompleter
{
    private static readonly (string, string)[] Models =
    {
        ("tts-1", "Fast, 9 voices"),
        ("tts-1-hd", "Higher quality, 9 voices"),
        ("gpt-4o-mini-tts", "All 13 voices, takes -Instructions"),
    };

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            return Completion.Matching(Models, wordToComplete).ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}

/// <summary>Completes -Format with the six formats of the API.</summary>
public sealed class FormatCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            return Completion.Matching(AudioFormats.All.Select(f => (f.ToApiName(), f.ToString())), wordToComplete).ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}

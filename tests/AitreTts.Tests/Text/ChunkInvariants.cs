using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using AitreTts.Core.Text;

namespace AitreTts.Tests.Text;

/// <summary>
/// The properties every split must have, whatever the input. Every splitter test runs its result through
/// <see cref="AssertValid"/>. The checks are written independently of the splitter: white space is listed here, and
/// grapheme clusters come from .NET's own UAX #29 segmentation (which the core cannot use, being netstandard2.0
/// and bound to behave the same on .NET Framework, but which is a fine judge on the test runtime).
/// </summary>
internal static class ChunkInvariants
{
    /// <summary>Unicode White_Space, plus ZERO WIDTH SPACE and the byte order mark, as the library documents.</summary>
    public static readonly char[] BlankCharacters =
    {
        '\u0009', '\u000A', '\u000B', '\u000C', '\u000D', '\u0020', '\u0085', '\u00A0', '\u1680',
        '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200A',
        '\u2028', '\u2029', '\u202F', '\u205F', '\u3000', '\u200B', '\uFEFF',
    };

    public static void AssertValid(string text, IReadOnlyList<TextChunk> chunks, int maximumCharacters)
    {
        if (text.Trim(BlankCharacters).Length == 0)
        {
            Assert.Empty(chunks);
            return;
        }

        Assert.NotEmpty(chunks);
        if (text.Trim(BlankCharacters).Length <= maximumCharacters)
        {
            Assert.Single(chunks);
        }

        var rebuilt = new StringBuilder(text.Length);
        int expectedStart = 0;
        for (int index = 0; index < chunks.Count; index++)
        {
            TextChunk chunk = chunks[index];
            Assert.Equal(index, chunk.Index);
            Assert.Equal(expectedStart, chunk.Start);
            Assert.Equal(chunk.Raw.Length, chunk.Length);
            Assert.True(chunk.Length > 0, $"chunk {index} is empty");
            rebuilt.Append(chunk.Raw);
            expectedStart += chunk.Length;

            Assert.False(string.IsNullOrEmpty(chunk.RequestText), $"chunk {index} has nothing to send");
            Assert.True(
                chunk.RequestText.Length <= maximumCharacters,
                $"chunk {index} sends {chunk.RequestText.Length} characters, more than {maximumCharacters}");
            Assert.Equal(chunk.Raw.Trim(BlankCharacters), chunk.RequestText);
        }

        Assert.Equal(text.Length, expectedStart);
        Assert.True(rebuilt.ToString() == text, "the raw slices do not join back into the input");

        AssertCutsKeepCharactersWhole(text, chunks, maximumCharacters);
        AssertNoWordLost(text, chunks);
    }

    /// <summary>Where each chunk but the last ends in the input.</summary>
    public static IEnumerable<int> Cuts(IReadOnlyList<TextChunk> chunks) =>
        chunks.Take(chunks.Count - 1).Select(chunk => chunk.Start + chunk.Length);

    public static bool IsBlank(char character) => Array.IndexOf(BlankCharacters, character) >= 0;

    private static void AssertCutsKeepCharactersWhole(string text, IReadOnlyList<TextChunk> chunks, int maximumCharacters)
    {
        int[] clusterStarts = GraphemeClusterStarts(text);
        foreach (int cut in Cuts(chunks))
        {
            Assert.False(
                char.IsHighSurrogate(text[cut - 1]) && char.IsLowSurrogate(text[cut]),
                $"cut at {cut} splits a surrogate pair");
            Assert.False(text[cut - 1] == '\r' && text[cut] == '\n', $"cut at {cut} splits \"\\r\\n\"");

            int found = Array.BinarySearch(clusterStarts, cut);
            if (found < 0)
            {
                // Inside a cluster: only forgivable when the cluster cannot fit in any chunk.
                int clusterStart = clusterStarts[~found - 1];
                int clusterEnd = ~found < clusterStarts.Length ? clusterStarts[~found] : text.Length;
                Assert.True(
                    clusterEnd - clusterStart > maximumCharacters,
                    $"cut at {cut} splits the grapheme cluster {Describe(text.Substring(clusterStart, clusterEnd - clusterStart))}");
            }
        }
    }

    /// <summary>
    /// The words (runs of non-blank characters) of the input, in order, are the words of the request texts, where
    /// two chunks that meet with no white space between them (a hard cut, or CJK punctuation) are read as one.
    /// </summary>
    private static void AssertNoWordLost(string text, IReadOnlyList<TextChunk> chunks)
    {
        string[] expected = Words(text);
        var actual = new List<string>();
        bool previousEndedMidWord = false;
        foreach (TextChunk chunk in chunks)
        {
            string[] words = Words(chunk.RequestText);
            int next = 0;
            if (previousEndedMidWord && words.Length > 0 && !IsBlank(chunk.Raw[0]))
            {
                actual[actual.Count - 1] += words[0];
                next = 1;
            }

            actual.AddRange(words.Skip(next));
            int end = chunk.Start + chunk.Length;
            previousEndedMidWord = end < text.Length && !IsBlank(text[end - 1]) && !IsBlank(text[end]);
        }

        Assert.Equal(expected.Length, actual.Count);
        for (int index = 0; index < expected.Length; index++)
        {
            Assert.True(expected[index] == actual[index], $"word {index}: expected {Describe(expected[index])}, got {Describe(actual[index])}");
        }
    }

    private static string[] Words(string text) => text.Split(BlankCharacters, StringSplitOptions.RemoveEmptyEntries);

    private static int[] GraphemeClusterStarts(string text)
    {
        var starts = new List<int>();
        int index = 0;
        while (index < text.Length)
        {
            starts.Add(index);
            index += StringInfo.GetNextTextElementLength(text, index);
        }

        return starts.ToArray();
    }

    public static string Describe(string text)
    {
        string shown = text.Length > 40 ? text.Substring(0, 40) + "..." : text;
        return "\"" + string.Concat(shown.Select(c => c < 0x20 || c > 0x7E ? $"\\u{(int)c:X4}" : c.ToString())) + "\"";
    }
}

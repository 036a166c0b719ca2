using System.Collections.Generic;
using System.Diagnostics;
using AitreTts.Core.Text;
using Xunit.Abstractions;

namespace AitreTts.Tests.Text;

/// <summary>
/// The invariants over many generated documents. Every generator is seeded, so a failure names a seed that
/// reproduces it.
/// </summary>
public sealed class TextSplitterPropertyTests
{
    private readonly ITestOutputHelper _output;

    public TextSplitterPropertyTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(11)] // one more than the family emoji, which is 11 code units
    [InlineData(16)]
    [InlineData(50)]
    [InlineData(200)]
    public void Split_KeepsTheInvariantsOnRandomDocuments(int maximumCharacters)
    {
        for (int seed = 0; seed < 400; seed++)
        {
            string text = SampleText.Random(pieces: 5 + seed % 150, seed: seed * 31 + maximumCharacters);

            IReadOnlyList<TextChunk> chunks = TextSplitter.Split(text, maximumCharacters);

            try
            {
                ChunkInvariants.AssertValid(text, chunks, maximumCharacters);
            }
            catch (System.Exception)
            {
                _output.WriteLine($"seed {seed}, maximum {maximumCharacters}: {ChunkInvariants.Describe(text)}");
                throw;
            }
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(300)]
    public void Split_KeepsTheInvariantsOnProseWithSmallMaximums(int maximumCharacters)
    {
        for (int seed = 0; seed < 50; seed++)
        {
            foreach (string text in new[] { SampleText.English(2000, seed), SampleText.Chinese(1000, seed), SampleText.Japanese(1000, seed) })
            {
                IReadOnlyList<TextChunk> chunks = TextSplitter.Split(text, maximumCharacters);

                ChunkInvariants.AssertValid(text, chunks, maximumCharacters);
            }
        }
    }

    public static TheoryData<string> MillionCharacterDocuments() => new()
    {
        "english",
        "chinese",
        "one word",
        "exclamation marks",
        "flags",
        "one letter under a million marks",
        "spaces around one letter",
        "no-break spaces",
        "random pieces",
    };

    [Theory]
    [MemberData(nameof(MillionCharacterDocuments))]
    public void Split_HandlesAMillionCharactersWithoutPathologicalTime(string kind)
    {
        const int length = 1_000_000;
        string text = kind switch
        {
            "english" => SampleText.English(length, seed: 8),
            "chinese" => SampleText.Chinese(length, seed: 9),
            "one word" => new string('w', length),
            "exclamation marks" => new string('!', length),
            "flags" => SampleText.Repeat("🇺🇸", length / 4),
            "one letter under a million marks" => "a" + new string('\u0301', length),
            "spaces around one letter" => new string(' ', length / 2) + "a" + new string(' ', length / 2),
            "no-break spaces" => SampleText.Repeat("x\u00A0", length / 2),
            _ => SampleText.Random(length / 3, seed: 10),
        };

        // No time limit: the machine is shared. A quadratic split would take minutes here and time the run out;
        // the elapsed time is written out for whoever looks.
        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<TextChunk> chunks = TextSplitter.Split(text);
        stopwatch.Stop();
        _output.WriteLine($"{kind}: {text.Length} characters, {chunks.Count} chunks in {stopwatch.ElapsedMilliseconds} ms");

        ChunkInvariants.AssertValid(text, chunks, TextSplitter.ApiMaximumCharacters);
    }
}

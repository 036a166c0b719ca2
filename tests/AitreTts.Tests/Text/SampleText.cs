using System;
using System.Text;

namespace AitreTts.Tests.Text;

/// <summary>
/// Deterministic documents for the splitter tests. A small xorshift generator stands in for System.Random so that
/// the same seed gives the same text on every runtime and forever.
/// </summary>
internal static class SampleText
{
    private static readonly string[] EnglishWords =
    {
        "the", "voice", "reads", "every", "line", "of", "this", "document", "slowly", "and", "clearly", "while",
        "listeners", "follow", "along", "with", "printed", "copy", "in", "hand", "a", "river", "runs", "past",
        "old", "mill", "where", "children", "once", "played", "during", "long", "summer", "afternoons", "nobody",
        "remembers", "exactly", "why", "bridge", "was", "built", "there", "but", "everyone", "agrees", "it",
        "matters", "Dr.", "e.g.", "3.14", "1,000", "12:30", "well-known", "don't", "U.S.", "naïve", "café",
    };

    private const string ChineseCharacters =
        "我们今天去公园散步天气很好阳光明媚孩子们在草地上玩耍老人坐在长椅上聊天湖面上有几只小船慢慢地划过远处的山峰被云雾笼罩" +
        "春天来了花开了鸟儿在树上唱歌人们脱下厚重的冬衣城市里到处都是生机勃勃的景象学生们背着书包走进校园开始新的学期";

    private const string JapaneseCharacters =
        "きょうはとてもいいてんきですわたしはともだちといっしょにこうえんへいきましたカメラでしゃしんをとりました" +
        "東京駅の近くに新しい図書館ができました毎朝七時に起きて散歩します日本語の勉強はむずかしいけれどたのしいです";

    public static string English(int length, int seed)
    {
        var random = new Xorshift(seed);
        var text = new StringBuilder(length + 2000);
        while (text.Length < length)
        {
            int sentences = random.Next(1, 7);
            for (int sentence = 0; sentence < sentences; sentence++)
            {
                if (sentence > 0)
                {
                    text.Append(' ');
                }

                bool quoted = random.Next(0, 8) == 0;
                if (quoted)
                {
                    text.Append('"');
                }

                int words = random.Next(4, 25);
                for (int word = 0; word < words; word++)
                {
                    string next = EnglishWords[random.Next(0, EnglishWords.Length)];
                    if (word == 0)
                    {
                        next = char.ToUpperInvariant(next[0]) + next.Substring(1);
                    }
                    else
                    {
                        text.Append(' ');
                    }

                    text.Append(next);
                    if (word > 0 && word < words - 1 && random.Next(0, 9) == 0)
                    {
                        text.Append(random.Next(0, 2) == 0 ? "," : ";");
                    }
                }

                text.Append(".!?"[random.Next(0, 3)]);
                if (quoted)
                {
                    text.Append('"');
                }
            }

            text.Append("\n\n");
        }

        return text.ToString();
    }

    /// <summary>Chinese prose with no white space at all: sentences end with 。！？ and hold ，、 inside.</summary>
    public static string Chinese(int length, int seed)
    {
        var random = new Xorshift(seed);
        var text = new StringBuilder(length + 100);
        while (text.Length < length)
        {
            int clauses = random.Next(1, 4);
            for (int clause = 0; clause < clauses; clause++)
            {
                if (clause > 0)
                {
                    text.Append(random.Next(0, 4) == 0 ? '、' : '，');
                }

                int characters = random.Next(4, 30);
                for (int character = 0; character < characters; character++)
                {
                    text.Append(ChineseCharacters[random.Next(0, ChineseCharacters.Length)]);
                }
            }

            text.Append("。。。！？"[random.Next(0, 5)]);
        }

        return text.ToString();
    }

    /// <summary>Japanese prose with no white space: kana and kanji, 、 inside, some sentences quoted 「...。」.</summary>
    public static string Japanese(int length, int seed)
    {
        var random = new Xorshift(seed);
        var text = new StringBuilder(length + 100);
        while (text.Length < length)
        {
            bool quoted = random.Next(0, 4) == 0;
            if (quoted)
            {
                text.Append('「');
            }

            int characters = random.Next(8, 50);
            for (int character = 0; character < characters; character++)
            {
                text.Append(JapaneseCharacters[random.Next(0, JapaneseCharacters.Length)]);
                if (character > 2 && character < characters - 2 && random.Next(0, 15) == 0)
                {
                    text.Append('、');
                }
            }

            text.Append(random.Next(0, 6) == 0 ? '？' : '。');
            if (quoted)
            {
                text.Append('」');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Pieces that random documents are built from: each a whole grapheme cluster, white space or punctuation, chosen
    /// to put surrogate pairs, marks, joiners, flags, CRLF and break candidates next to every chunk boundary.
    /// </summary>
    public static readonly string[] Pieces =
    {
        "a", "b", "Z", "word", "alpha", "é", "e\u0301", "a\u0301\u0323", "\u0915\u093F", // Devanagari KI, a spacing mark
        " ", " ", " ", "  ", "\t", "\n", "\r\n", "\r\n\r\n", "\n\n", "\u00A0", "\u3000", "\u2029", "\u200B",
        ".", ". ", "!", "? ", "...", "…", ",", ", ", ";", ": ", "—", "–", ".\"", ".) ", "3.14", "e.g.",
        "你", "好", "。", "，", "！", "「", "」", "、", "です",
        "😀", "👍🏽", "👨\u200D👩\u200D👧\u200D👦", "🏳\uFE0F\u200D🌈", "🇺🇸", "🇫🇷", "🇦", "1\uFE0F\u20E3",
        "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "\u2764\uFE0F", "𝄞", "𠀋",
        "\uD800", "\uDC00", // lone surrogates: the splitter leaves them be and must not trip over them
    };

    public static string Random(int pieces, int seed)
    {
        var random = new Xorshift(seed);
        var text = new StringBuilder();
        for (int piece = 0; piece < pieces; piece++)
        {
            text.Append(Pieces[random.Next(0, Pieces.Length)]);
        }

        return text.ToString();
    }

    public static string Repeat(string piece, int count)
    {
        var text = new StringBuilder(piece.Length * count);
        for (int index = 0; index < count; index++)
        {
            text.Append(piece);
        }

        return text.ToString();
    }

    private sealed class Xorshift
    {
        private ulong _state;

        public Xorshift(int seed) => _state = 0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed * 0xBF58476D1CE4E5B9UL | 1UL;

        /// <summary>A number in [minimum, maximumExclusive).</summary>
        public int Next(int minimum, int maximumExclusive)
        {
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            return minimum + (int)(_state % (ulong)(maximumExclusive - minimum));
        }
    }
}

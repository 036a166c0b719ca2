using System;
using System.Text;

namespace AitreTts.Bench;

/// <summary>Deterministic English-like prose, so every run sends the same bytes and splits into the same chunks.</summary>
internal static class Corpus
{
    private static readonly string[] Words =
    {
        "the", "station", "platform", "train", "passengers", "morning", "service", "north", "gate", "will", "close",
        "early", "today", "because", "of", "maintenance", "work", "on", "signal", "cables", "please", "use", "the",
        "south", "entrance", "and", "follow", "signs", "towards", "temporary", "bus", "stop", "staff", "are",
        "available", "to", "help", "anyone", "who", "needs", "assistance", "with", "luggage", "or", "tickets", "we",
        "apologise", "for", "any", "inconvenience", "this", "may", "cause", "trains", "run", "every", "fifteen",
        "minutes", "until", "evening", "when", "normal", "timetable", "resumes", "a", "quiet", "coach", "is", "at",
        "front", "bicycles", "travel", "in", "rear", "carriage", "refreshments", "can", "be", "bought", "from",
        "kiosk", "near", "ticket", "hall", "lost", "property", "office", "opens", "at", "nine",
    };

    /// <summary>About <paramref name="characters"/> characters of paragraphs of sentences, cut at a sentence end.</summary>
    public static string Prose(int characters, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(characters + 256);
        while (text.Length < characters)
        {
            int sentences = random.Next(4, 8);
            for (int s = 0; s < sentences && text.Length < characters; s++)
            {
                if (s > 0)
                {
                    text.Append(' ');
                }

                text.Append(Sentence(random));
            }

            text.Append("\n\n");
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>A one-line announcement, different for each <paramref name="index"/>.</summary>
    public static string Line(int index)
    {
        var random = new Random(1000 + index);
        return "Notice " + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + ": " + Sentence(random);
    }

    private static string Sentence(Random random)
    {
        int count = random.Next(8, 21);
        var sentence = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            string word = Words[random.Next(Words.Length)];
            if (i == 0)
            {
                sentence.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
            }
            else
            {
                sentence.Append(i == count / 2 && count > 12 ? ", " : " ").Append(word);
            }
        }

        return sentence.Append('.').ToString();
    }
}

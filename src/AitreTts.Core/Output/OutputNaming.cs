using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace AitreTts.Core.Output;

/// <summary>
/// Names for audio files the user did not name: a readable slug of the first words plus a short hash of the text
/// and every option that changes the audio, so the same announcement with another voice gets another name.
/// </summary>
internal static class OutputNaming
{
    private const int MaximumSlugWords = 6;
    private const int MaximumSlugLength = 48;

    /// <summary>Eight hex digits of SHA-256 over the text and the options.</summary>
    public static string ShortHash(string text, string model, string voice, AudioFormat format, double speed, string? instructions)
    {
        string material = string.Join(
            "\u0000",
            text,
            model,
            voice,
            format.ToApiName(),
            speed.ToString("R", CultureInfo.InvariantCulture),
            instructions ?? string.Empty);
        using SHA256 sha = SHA256.Create();
        byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(material));
        var hex = new StringBuilder(8);
        for (int i = 0; i < 4; i++)
        {
            hex.Append(digest[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }

    /// <summary>
    /// The first words of <paramref name="text"/> in lower case, joined by hyphens: letters and digits of any script,
    /// nothing a file system could object to. Empty when the text has no letters or digits.
    /// </summary>
    public static string Slug(string text)
    {
        var slug = new StringBuilder(MaximumSlugLength);
        int words = 0;
        bool inWord = false;
        for (int i = 0; i < text.Length && slug.Length < MaximumSlugLength; i++)
        {
            char c = text[i];
            if (char.IsLetterOrDigit(c) && !char.IsSurrogate(c))
            {
                if (!inWord)
                {
                    if (words == MaximumSlugWords)
                    {
                        break;
                    }

                    if (slug.Length > 0)
                    {
                        slug.Append('-');
                    }

                    words++;
                    inWord = true;
                }

                slug.Append(char.ToLowerInvariant(c));
            }
            else
            {
                inWord = false;
            }
        }

        return slug.ToString().TrimEnd('-');
    }

    /// <summary>The generated name for a plain text document, such as <c>server-maintenance-starts-at-17-00-1a2b3c4d.mp3</c>.</summary>
    public static string ForText(string text, string hash, AudioFormat format)
    {
        string slug = Slug(text);
        return (slug.Length == 0 ? "speech" : slug) + "-" + hash + format.ToExtension();
    }

    /// <summary>
    /// Candidate file names, in the order to try them: <paramref name="attempt"/> 0 is the preferred name, later ones
    /// disambiguate when a file already has that name. For a document read from <c>notes.txt</c> the preferred name is
    /// <c>notes.mp3</c>, then <c>notes-1a2b3c4d.mp3</c>, then <c>notes-1a2b3c4d-2.mp3</c>.
    /// </summary>
    public static string Candidate(string? sourcePath, string text, string hash, AudioFormat format, int attempt)
    {
        string extension = format.ToExtension();
        if (sourcePath is not null)
        {
            string baseName = Path.GetFileNameWithoutExtension(sourcePath);
            if (baseName.Length == 0)
            {
                baseName = "speech";
            }

            return attempt switch
            {
                0 => baseName + extension,
                1 => baseName + "-" + hash + extension,
                _ => baseName + "-" + hash + "-" + attempt.ToString(CultureInfo.InvariantCulture) + extension,
            };
        }

        string stem = Slug(text);
        stem = (stem.Length == 0 ? "speech" : stem) + "-" + hash;
        return attempt == 0 ? stem + extension : stem + "-" + (attempt + 1).ToString(CultureInfo.InvariantCulture) + extension;
    }
}

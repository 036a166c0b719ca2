using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AitreTts.Bench;

/// <summary>One line of the results table.</summary>
internal sealed record ResultRow(string Case, string Measured, string Baseline, double Ratio, string Target, bool Pass, IReadOnlyList<string> Details);

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static string Seconds(double seconds) => seconds.ToString("0.000", CultureInfo.InvariantCulture) + " s";

    public static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    public static string List(IEnumerable<double> seconds) => string.Join(", ", seconds.Select(s => s.ToString("0.000", CultureInfo.InvariantCulture)));

    public static string Ratio(double ratio) => ratio.ToString("0.000", CultureInfo.InvariantCulture);

    public static void Print(IReadOnlyList<ResultRow> rows)
    {
        string[] header = { "case", "measured", "baseline", "ratio", "target", "verdict" };
        List<string[]> cells = rows.Select(r => new[] { r.Case, r.Measured, r.Baseline, Ratio(r.Ratio), r.Target, r.Pass ? "PASS" : "FAIL" }).ToList();
        int[] widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        string Line(string[] c) => string.Join(" | ", c.Select((v, i) => v.PadRight(widths[i])));
        Console.WriteLine();
        Console.WriteLine(Line(header));
        Console.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (string[] c in cells)
        {
            Console.WriteLine(Line(c));
        }

        Console.WriteLine();
        foreach (ResultRow row in rows)
        {
            Console.WriteLine(row.Case + ":");
            foreach (string detail in row.Details)
            {
                Console.WriteLine("  " + detail);
            }
        }
    }
}

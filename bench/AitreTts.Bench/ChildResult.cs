using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace AitreTts.Bench;

/// <summary>The cases measured in a child process report on their last line starting "RESULT ".</summary>
internal static class ChildResult
{
    private const string Prefix = "RESULT ";

    /// <summary>Runs the child to its end and returns what follows "RESULT " on its last such line.</summary>
    public static async Task<string> RunAsync(ProcessStartInfo start, string what)
    {
        using Process child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {what}.");
        Task<string> stdout = child.StandardOutput.ReadToEndAsync();
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync().ConfigureAwait(false);
        string output = await stdout.ConfigureAwait(false);
        string? result = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        if (child.ExitCode != 0 || result is null)
        {
            throw new InvalidOperationException($"{what} failed (exit {child.ExitCode}): {output} {await stderr.ConfigureAwait(false)}");
        }

        return result.Substring(Prefix.Length);
    }
}

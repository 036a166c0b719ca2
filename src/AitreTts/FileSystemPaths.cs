using System;
using System.Management.Automation;
using AitreTts.Core.Documents;
using AitreTts.Core.Errors;
using AitreTts.Core.Output;

namespace AitreTts;

/// <summary>PowerShell paths (relative, on a drive, PSPaths) as the file system paths the core works with.</summary>
internal static class FileSystemPaths
{
    /// <summary>The file system path of <paramref name="psPath"/>, or <paramref name="psPath"/> itself where PowerShell cannot say.</summary>
    public static string OrAsGiven(PathIntrinsics paths, string psPath)
    {
        try
        {
            return paths.GetUnresolvedProviderPathFromPSPath(psPath);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            return psPath;
        }
    }

    /// <summary>Where generated names go: <paramref name="directory"/>, or the current location when it is null.</summary>
    public static string OutputDirectory(PathIntrinsics paths, string? directory) =>
        directory is null ? paths.CurrentFileSystemLocation.ProviderPath : Plain(directory) ?? paths.GetUnresolvedProviderPathFromPSPath(directory);

    // A full file system path that is already in its normal form is its own provider path, on every drive setup:
    // asking PowerShell costs about a fifth of a millisecond, paid by every call of a loop. Anything else (relative,
    // on a PSDrive, a PSPath, ~, . or .. parts, a backtick) is PowerShell's to resolve.
    private static string? Plain(string path)
    {
        if (path.IndexOf('`') >= 0 || !System.IO.Path.IsPathRooted(path))
        {
            return null;
        }

        try
        {
            return string.Equals(System.IO.Path.GetFullPath(path), path, StringComparison.Ordinal) ? path : null;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or System.IO.PathTooLongException or System.Security.SecurityException)
        {
            return null;
        }
    }

    /// <summary>-OutFile as a file system path, whether or not it exists yet.</summary>
    /// <exception cref="TtsException">TtsInvalidOutputPath (or another file error) for a path that cannot name a file here.</exception>
    public static string OutFile(PathIntrinsics paths, string outFile)
    {
        string path = Plain(outFile) ?? ProviderPath(paths, outFile);
        return DocumentPlanner.InvalidOutFileName(outFile, path) is TtsException invalid ? throw invalid : path;
    }

    private static string ProviderPath(PathIntrinsics paths, string outFile)
    {
        try
        {
            string path = paths.GetUnresolvedProviderPathFromPSPath(outFile, out ProviderInfo provider, out _);
            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                throw new ProviderNotFoundException($"It is on the {provider.Name} provider.");
            }

            return path;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            throw ex is ItemNotFoundException or DriveNotFoundException or ProviderNotFoundException
                ? new TtsException(TtsErrorIds.InvalidOutputPath, TtsErrorCategory.InvalidArgument, $"-OutFile '{outFile}' is not a file system path: {ex.Message}", ex)
                : FileErrors.From(ex, outFile);
        }
    }
}

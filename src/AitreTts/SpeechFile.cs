using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using AitreTts.Core;
using AitreTts.Core.Synthesis;

namespace AitreTts;

/// <summary>The FileInfo Invoke-TextToSpeech returns for a written document, with what made it as note properties.</summary>
internal static class SpeechFile
{
    /// <summary>
    /// The file as Get-Item gives it: with PSPath and the other provider properties, so that piping it to Move-Item
    /// or Remove-Item names it literally ('a[1].mp3' is no wildcard), and with what the provider attaches for
    /// FileInfo's own members (UnixMode, User and Size are computed from it).
    /// </summary>
    public static PSObject From(DocumentResult result, SpeechOptions options, ProviderIntrinsics provider)
    {
        PSObject file = ProviderItems.For(result.Path, provider);
        // The view name goes first; FileInfo's own type names stay, so the object still pipes to Copy-Item.
        file.TypeNames.Insert(0, "AitreTts.SpeechFile");
        // preValidated: these names are fixed, distinct and none of FileInfo's, so PowerShell's search for a clash on
        // each Add is work for nothing, on every document of a batch.
        // One voice is a string, as it always was; the parts of an announcement said in several list them all, in order.
        file.Properties.Add(new PSNoteProperty("Voice", OneOrAll(result.Voices, options.Voice)), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Model", OneOrAll(result.Models, options.Model)), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Format", result.Format.ToApiName()), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Characters", result.Characters), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Chunks", result.Chunks), preValidated: true);
        file.Properties.Add(new PSNoteProperty("RequestId", result.RequestIds.Count > 0 ? result.RequestIds[0] : null), preValidated: true);
        file.Properties.Add(new PSNoteProperty("RequestIds", result.RequestIds.ToArray()), preValidated: true);
        file.Properties.Add(new PSNoteProperty("Duration", result.Duration), preValidated: true);
        if (result.SubtitlePath is not null)
        {
            file.Properties.Add(new PSNoteProperty("SubtitlePath", result.SubtitlePath), preValidated: true);
        }

        file.Properties.Add(new PSNoteProperty("FromCache", result.Chunks > 0 && result.CachedChunks == result.Chunks), preValidated: true);
        file.Properties.Add(new PSNoteProperty("CachedChunks", result.CachedChunks), preValidated: true);
        return file;
    }

    private static object OneOrAll(System.Collections.Generic.IReadOnlyList<string> used, string fallback) =>
        used.Count == 0 ? fallback : used.Count == 1 ? used[0] : used.ToArray();

    /// <summary>
    /// Files as the FileSystem provider shows them, without asking it for each one: asking costs about a fifth of a
    /// whole request to a local server, paid by every call of a loop. The provider is asked once per folder and
    /// runspace; each later file of that folder gets the same properties the provider gave the first one: its own
    /// PSPath and PSChildName, the folder's PSParentPath, the same PSDrive and PSProvider. The provider's UnixStat
    /// (an internal PowerShell type the module cannot make) is read from the provider only when something asks for it.
    /// </summary>
    private sealed class ProviderItems
    {
        // One entry per runspace: the drives and the provider are the runspace's own objects.
        private static readonly ConditionalWeakTable<Runspace, ProviderItems> Learnt = new();

        private readonly string _directory;
        private readonly string _pathPrefix;
        private readonly object? _parentPath;
        private readonly object? _drive;
        private readonly object? _provider;
        private readonly ScriptBlock? _unixStat;

        private ProviderItems(string directory, string pathPrefix, PSObject first, bool hasUnixStat)
        {
            _directory = directory;
            _pathPrefix = pathPrefix;
            _parentPath = first.Properties["PSParentPath"].Value;
            _drive = first.Properties["PSDrive"].Value;
            _provider = first.Properties["PSProvider"].Value;
            _unixStat = hasUnixStat ? ScriptBlock.Create("(Get-Item -LiteralPath $this.FullName -Force -ErrorAction Ignore).UnixStat") : null;
        }

        public static PSObject For(string path, ProviderIntrinsics provider)
        {
            var info = new FileInfo(path);
            Runspace? runspace = Runspace.DefaultRunspace;
            if (runspace is not null && Learnt.TryGetValue(runspace, out ProviderItems? learnt) && string.Equals(learnt._directory, info.DirectoryName, StringComparison.Ordinal))
            {
                return learnt.Like(info);
            }

            PSObject? item = AsProviderItem(path, provider);
            if (item is null)
            {
                return PSObject.AsPSObject(info);
            }

            if (runspace is not null && Learn(item) is ProviderItems shape)
            {
                lock (Learnt)
                {
                    Learnt.Remove(runspace);
                    Learnt.Add(runspace, shape);
                }
            }

            return item;
        }

        // What the provider attached, when it is what this class knows how to repeat; else null, and the provider is asked every time.
        private static ProviderItems? Learn(PSObject item)
        {
            var file = (FileInfo)item.BaseObject;
            string[] expected = { "PSPath", "PSParentPath", "PSChildName", "PSDrive", "PSProvider", "PSIsContainer" };
            string[] attached = item.Properties.Where(p => p is PSNoteProperty).Select(p => p.Name).ToArray();
            if (file.DirectoryName is not string directory
                || !expected.All(attached.Contains)
                || attached.Except(expected).Any(name => name != "UnixStat")
                || item.Properties["PSPath"].Value is not string psPath
                || !psPath.EndsWith(file.FullName, StringComparison.Ordinal)
                || !Equals(item.Properties["PSChildName"].Value, file.Name))
            {
                return null;
            }

            return new ProviderItems(directory, psPath.Substring(0, psPath.Length - file.FullName.Length), item, attached.Contains("UnixStat"));
        }

        private PSObject Like(FileInfo info)
        {
            PSObject file = PSObject.AsPSObject(info);
            // The provider's order: Format-List * shows them as Get-Item's.
            file.Properties.Add(new PSNoteProperty("PSPath", _pathPrefix + info.FullName), preValidated: true);
            file.Properties.Add(new PSNoteProperty("PSParentPath", _parentPath), preValidated: true);
            file.Properties.Add(new PSNoteProperty("PSChildName", info.Name), preValidated: true);
            if (_unixStat is not null)
            {
                file.Properties.Add(new PSScriptProperty("UnixStat", _unixStat), preValidated: true);
            }

            file.Properties.Add(new PSNoteProperty("PSDrive", _drive), preValidated: true);
            file.Properties.Add(new PSNoteProperty("PSProvider", _provider), preValidated: true);
            file.Properties.Add(new PSNoteProperty("PSIsContainer", false), preValidated: true);
            return file;
        }

        private static PSObject? AsProviderItem(string path, ProviderIntrinsics provider)
        {
            try
            {
                if (provider.Item.Get(new[] { path }, force: true, literalPath: true) is { Count: 1 } items && items[0].BaseObject is FileInfo)
                {
                    return items[0];
                }
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                // The file is written; a provider that cannot show it (a path no drive reaches) must not turn that into a failure.
            }

            return null;
        }
    }
}

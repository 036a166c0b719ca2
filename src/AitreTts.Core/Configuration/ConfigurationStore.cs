using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Threading;
using AitreTts.Core.Errors;
using AitreTts.Core.Files;
using AitreTts.Core.Security;

namespace AitreTts.Core.Configuration;

/// <summary>
/// The per-user configuration file, so a scheduled task that runs later finds what an admin set once.
/// <c>%APPDATA%\AitreTts\config.json</c> on Windows; <c>$XDG_CONFIG_HOME/AitreTts/config.json</c> or
/// <c>~/.config/AitreTts/config.json</c> elsewhere. The key in it is always protected (<see cref="SecretProtector"/>).
/// </summary>
internal sealed class ConfigurationStore
{
    /// <summary>The profile used when none is named.</summary>
    public const string DefaultProfileName = "default";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly SecretProtector _protector;

    /// <summary>A store at <paramref name="path"/>.</summary>
    public ConfigurationStore(string path)
    {
        FilePath = Path.GetFullPath(path);
        DirectoryPath = Path.GetDirectoryName(FilePath)!;
        _protector = new SecretProtector(DirectoryPath);
    }

    public string FilePath { get; }

    internal string DirectoryPath { get; }

    internal string LockFilePath => Path.Combine(DirectoryPath, ".config.lock");

    // How long a change waits for another process that is changing the file; tests shorten it.
    internal TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The store at the default per-user path, read from the environment at each call so tests and tasks can redirect it.</summary>
    public static ConfigurationStore ForCurrentUser() => new(DefaultPath());

    /// <summary>The default per-user path of the configuration file.</summary>
    public static string DefaultPath()
    {
        string root;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            root = Environment.GetEnvironmentVariable("APPDATA") is { Length: > 0 } appData
                ? appData
                : Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);
        }
        else
        {
            root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        }

        return Path.Combine(root, "AitreTts", "config.json");
    }

    /// <summary>
    /// Reads the file once: its profiles, its default profile and their settings, consistent with each other even if
    /// the file changes afterwards. An absent file gives no profiles.
    /// </summary>
    /// <exception cref="TtsException">TtsConfigurationInvalid when the file cannot be parsed.</exception>
    public StoredConfiguration Snapshot(TtsLog? log = null) => new(this, Read(log ?? TtsLog.None, shared: true));

    /// <summary>Sets, in one profile, every member that <paramref name="changes"/> sets, and writes the file.</summary>
    /// <param name="changes">The members to set.</param>
    /// <param name="profile">The profile, created when missing.</param>
    /// <param name="log">Receives warnings about the file.</param>
    /// <param name="makeDefault">Make this profile the default one.</param>
    public void Save(TtsSettings changes, string profile = DefaultProfileName, TtsLog? log = null, bool makeDefault = false)
    {
        Update(log, document =>
        {
            if (!document.Profiles.TryGetValue(profile, out JsonObject? stored))
            {
                stored = new JsonObject();
                document.Profiles[profile] = stored;
            }

            // A stored key and a secret name for the same profile would leave the user guessing which one wins; a new
            // proxy user replaces the old one's password, whether or not a new one is given.
            if (changes.IsSet(Setting.ApiKey) || changes.IsSet(Setting.ApiKeySecretName))
            {
                Remove(stored, Setting.ApiKey, Setting.ApiKeySecretName, Setting.Vault);
            }

            if (changes.IsSet(Setting.ProxyUserName))
            {
                Remove(stored, Setting.ProxyPassword);
            }

            foreach (KeyValuePair<Setting, object> change in changes)
            {
                Remove(stored, change.Key);
                stored[change.Key.FileKey] = change.Key.Write(change.Value, _protector);
            }

            // The first profile saved becomes the default, so a user whose only profile is "azure" needs no -Profile.
            document.DefaultProfile = makeDefault ? profile : document.DefaultProfile ?? profile;
            return true;
        });
    }

    /// <summary>Removes a profile; returns false when there was none. The default moves back to "default".</summary>
    public bool RemoveProfile(string profile, TtsLog? log = null) => Update(log, document =>
    {
        if (!document.Profiles.Remove(profile))
        {
            return false;
        }

        if (string.Equals(document.DefaultProfile, profile, StringComparison.OrdinalIgnoreCase))
        {
            document.DefaultProfile = document.Profiles.ContainsKey(DefaultProfileName) ? DefaultProfileName : document.Profiles.Keys.FirstOrDefault();
        }

        return true;
    });

    /// <summary>Removes the stored key (and secret name) of a profile; returns false when it had none.</summary>
    public bool RemoveApiKey(string profile, TtsLog? log = null) => Update(log, document =>
    {
        if (!document.Profiles.TryGetValue(profile, out JsonObject? stored) || (Find(stored, Setting.ApiKey) is null && Find(stored, Setting.ApiKeySecretName) is null))
        {
            return false;
        }

        Remove(stored, Setting.ApiKey, Setting.ApiKeySecretName, Setting.Vault);
        return true;
    });

    // Every read-modify-write holds the lock file from the read to the rename, so two processes that each add a
    // profile (or create the first key) end with both changes instead of the last writer's alone.
    // The lock file keeps out other threads of this process as well as other processes.
    private bool Update(TtsLog? log, Func<ConfigurationDocument, bool> change)
    {
        try
        {
            using FileStream held = AcquireLock();
            RemoveDeadWritersTemporaryFiles(log ?? TtsLog.None);
            ConfigurationDocument document = Read(log ?? TtsLog.None, shared: false);
            if (!change(document))
            {
                return false;
            }

            PrivateFile.WriteAllBytes(FilePath, JsonSerializer.SerializeToUtf8Bytes(document, JsonOptions));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw NotWritable(ex);
        }
    }

    // Only a holder of the lock writes these temporary files, and it renames or deletes them before letting go; so one
    // found while holding the lock belongs to a writer that died (kill -9, a power cut). They hold encrypted keys and
    // would otherwise stay forever.
    private void RemoveDeadWritersTemporaryFiles(TtsLog log)
    {
        foreach (string pattern in new[] { "." + Path.GetFileName(FilePath) + ".*.tmp", ".secret.key.*.tmp" })
        {
            foreach (string leftover in Directory.EnumerateFiles(DirectoryPath, pattern))
            {
                try
                {
                    File.Delete(leftover);
                    log.Verbose($"Removed {leftover}, left behind by a process that stopped while writing the configuration.");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    log.Verbose($"Could not remove {leftover}, left behind by an interrupted write: {ex.Message}");
                }
            }
        }
    }

    private FileStream AcquireLock()
    {
        PrivateFile.EnsurePrivateDirectory(DirectoryPath);
        var waited = Stopwatch.StartNew();
        var random = new Random();
        while (true)
        {
            try
            {
                // FileShare.None is a sharing mode on Windows and an exclusive flock elsewhere: one holder at a time,
                // across processes, released by the system when the holder dies.
                PrivateFile.RefuseLink(LockFilePath, "The configuration's lock file");
                var stream = new FileStream(LockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                PrivateFile.SetUnixMode(LockFilePath, PrivateFile.OwnerReadWrite);
                return stream;
            }
            catch (IOException ex) when (PrivateFile.IsHeldByAnother(ex))
            {
                if (waited.Elapsed >= LockTimeout)
                {
                    throw new TtsException(
                        TtsErrorIds.ConfigurationLocked,
                        TtsErrorCategory.ResourceUnavailable,
                        $"Another process kept the configuration file {FilePath} locked for more than {LockTimeout.TotalSeconds:0} s (it holds {LockFilePath} open). Try again when that process is done.",
                        ex);
                }

                Thread.Sleep(random.Next(20, 80));
            }
        }
    }

    private TtsException NotWritable(Exception ex) => new(
        TtsErrorIds.ConfigurationNotWritable,
        ex is UnauthorizedAccessException or SecurityException ? TtsErrorCategory.PermissionDenied : TtsErrorCategory.WriteError,
        $"Cannot change the configuration file {FilePath}: {ex.Message} Make the folder {DirectoryPath} one you can write, or point {(RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "APPDATA" : "XDG_CONFIG_HOME")} at another folder; -Scope Process keeps settings for this session without a file.",
        ex);

    // With shared true the document may be the one parsed for an earlier call with the same bytes: it is only read
    // (StoredConfiguration), so a read-modify-write asks for a document of its own.
    private static readonly ConfigurationDocument AbsentFile = new();

    private ConfigurationDocument Read(TtsLog log, bool shared)
    {
        byte[] content;
        try
        {
            if (PrivateFile.TightenDirectory(DirectoryPath))
            {
                log.Verbose($"The configuration folder {DirectoryPath} could be read or changed by other users; its mode is now 0700.");
            }

            PrivateFile.RefuseLink(_protector.KeyFilePath, "The key file");
            PrivateFile.RefuseLink(FilePath, "The configuration file");
            if (PrivateFile.Tighten(_protector.KeyFilePath))
            {
                log.Warning($"The key file {_protector.KeyFilePath} could be read by other users; its mode is now 0600. Consider replacing the API keys stored with it.");
            }

            // A folder where config.json should be, or a file where its folder should be, is a damaged configuration,
            // not an absent one: reading defaults would hide it until the next write fails.
            if (Directory.Exists(FilePath) || File.Exists(DirectoryPath))
            {
                throw Invalid(
                    Directory.Exists(FilePath) ? "is a folder, not a file" : $"cannot exist: {DirectoryPath} is a file, not a folder",
                    "Move that out of the way, then run Set-TtsConfiguration again.");
            }

            if (!File.Exists(FilePath))
            {
                // Shared readers never change what they are given: one empty document stands for every absent file.
                return shared ? AbsentFile : new ConfigurationDocument();
            }

            if (PrivateFile.Tighten(FilePath))
            {
                log.Warning($"The configuration file {FilePath} could be read by other users; its mode is now 0600. Consider replacing the API key stored in it.");
            }

            // FileShare.Delete lets a writer rename its new file over this one while it is being read (Windows).
            using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            content = buffer.ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw Invalid($"cannot be read ({ex.Message})", "Make it readable by you, or delete it and run Set-TtsConfiguration again.", ex);
        }

        return shared ? ParsedFiles.Get(FilePath, content, Parse) : Parse(content);
    }

    internal ConfigurationDocument Parse(byte[] content)
    {
        // Notepad and Windows PowerShell 5.1's Set-Content -Encoding UTF8 write a byte order mark; accept it.
        int start = content.Length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF ? 3 : 0;
        // JsonObject throws a raw ArgumentException for a repeated key, and only when a profile is first read: found
        // here, it is a damaged file like any other, named with where the key repeats.
        if (RepeatedKey(new ReadOnlySpan<byte>(content, start, content.Length - start)) is string repeated)
        {
            throw Invalid($"has {repeated}, so which value counts is unclear", "Edit the file so that the key appears once, then run the command again.");
        }

        StoredDocument? stored;
        try
        {
            stored = JsonSerializer.Deserialize<StoredDocument>(new ReadOnlySpan<byte>(content, start, content.Length - start), JsonOptions);
        }
        catch (JsonException ex)
        {
            throw Invalid($"is not valid JSON ({ex.Message})", "Fix or delete it, then run Set-TtsConfiguration again.", ex);
        }

        var document = new ConfigurationDocument
        {
            Version = stored?.Version ?? 1,
            DefaultProfile = stored?.DefaultProfile,
            Unknown = stored?.Unknown,
        };
        foreach (KeyValuePair<string, JsonObject?> entry in stored?.Profiles ?? new Dictionary<string, JsonObject?>())
        {
            if (entry.Value is null)
            {
                throw Invalid($"has no settings for the profile '{entry.Key}' (it is null)", "Remove that entry from the file, or replace null with {}.");
            }

            document.Profiles[entry.Key] = entry.Value;
        }

        return document;
    }

    // The first key that appears twice in one object, ignoring case as settings and profiles are matched, described
    // with the path of that object: "the key 'voice' twice in profiles.default". Null when there is none, or when the
    // JSON is not valid (the parser then says where).
    internal static string? RepeatedKey(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var objects = new Stack<(string Path, Dictionary<string, string> Keys)>();
        string? pendingName = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        string parent = objects.Count == 0 ? string.Empty : objects.Peek().Path;
                        string objectPath = objects.Count == 0 ? string.Empty : (parent.Length == 0 ? string.Empty : parent + ".") + (pendingName ?? "[]");
                        objects.Push((objectPath, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)));
                        pendingName = null;
                        break;
                    case JsonTokenType.EndObject:
                        objects.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        (string path, Dictionary<string, string> keys) = objects.Peek();
                        string name = reader.GetString()!;
                        if (keys.TryGetValue(name, out string? first))
                        {
                            string where = path.Length == 0 ? "at the top level" : "in " + path;
                            return first == name ? $"the key '{name}' twice {where}" : $"the keys '{first}' and '{name}' {where}, which differ only in case; names ignore case";
                        }

                        keys.Add(name, name);
                        pendingName = name;
                        break;
                    default:
                        pendingName = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private TtsException Invalid(string problem, string remedy, Exception? inner = null) => new(
        TtsErrorIds.ConfigurationInvalid,
        TtsErrorCategory.InvalidData,
        $"The configuration file {FilePath} {problem}. {remedy}",
        inner);

    // A stored value gets the checks its Set-TtsConfiguration parameter gets: a hand-edited timeoutSec of 0 would
    // otherwise remove every timeout, and a maximumRetryCount of a million would send a million requests.
    private TtsSettings ToSettings(string profile, JsonObject stored)
    {
        var settings = new TtsSettings();
        foreach (Setting setting in Setting.All)
        {
            if (Find(stored, setting) is not JsonNode node)
            {
                continue;
            }

            object? value = null;
            try
            {
                value = setting.Read(node, _protector);
            }
            catch (Exception ex) when (ex is FormatException or TtsException)
            {
                if (ex is TtsException { ErrorId: not TtsErrorIds.InvalidFormat })
                {
                    throw;
                }
            }

            if (value is null || !setting.Check(value))
            {
                string shown = setting.IsSecret ? "a value" : node.ToJsonString();
                throw Invalid(
                    $"sets {setting.FileKey} to {shown} in the profile '{profile}'; it must be {setting.Expected}",
                    $"Correct it with Set-TtsConfiguration -Profile {profile} -{setting.Parameter}, or edit the file.");
            }

            settings.SetValue(setting, value);
        }

        return settings;
    }

    // Keys are matched ignoring case, so a hand-edited "TimeoutSec" counts rather than being silently kept as unknown.
    private static JsonNode? Find(JsonObject stored, Setting setting) =>
        stored.FirstOrDefault(entry => string.Equals(entry.Key, setting.FileKey, StringComparison.OrdinalIgnoreCase)).Value;

    private static void Remove(JsonObject stored, params Setting[] settings)
    {
        foreach (Setting setting in settings)
        {
            foreach (string key in stored.Select(entry => entry.Key).Where(key => string.Equals(key, setting.FileKey, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                stored.Remove(key);
            }
        }
    }

    /// <summary>One read of the configuration file.</summary>
    internal sealed class StoredConfiguration
    {
        private readonly ConfigurationStore _store;
        private readonly ConfigurationDocument _document;

        internal StoredConfiguration(ConfigurationStore store, ConfigurationDocument document)
        {
            _store = store;
            _document = document;
            ProfileNames = new List<string>(document.Profiles.Keys);
            DefaultProfile = document.DefaultProfile is string name && document.Profiles.ContainsKey(name) ? name : DefaultProfileName;
        }

        public string FilePath => _store.FilePath;

        /// <summary>The parse this snapshot reads: the same object for the same bytes of the file (<see cref="ParsedFiles"/>).</summary>
        internal object Document => _document;

        /// <summary>The key file that opens the secrets stored in the file.</summary>
        internal string KeyFilePath => _store._protector.KeyFilePath;

        /// <summary>The names of the stored profiles, in the order they were created.</summary>
        public IReadOnlyList<string> ProfileNames { get; }

        /// <summary>The name of the default profile: the one used when a call names none.</summary>
        public string DefaultProfile { get; }

        /// <summary>True when the profile is stored.</summary>
        public bool HasProfile(string profile) => _document.Profiles.ContainsKey(profile);

        /// <summary>One profile's settings; an absent profile gives empty settings.</summary>
        /// <exception cref="TtsException">TtsConfigurationInvalid when a stored value is out of range or a stored secret cannot be read.</exception>
        public TtsSettings Load(string profile)
        {
            // The document may be shared by the calls of several runspaces (ParsedFiles), and a JsonObject builds its
            // members on first reading, which is not safe on two threads at once.
            lock (_document)
            {
                return _document.Profiles.TryGetValue(profile, out JsonObject? stored) ? _store.ToSettings(profile, stored) : new TtsSettings();
            }
        }
    }

    // What is written: the known members, then whatever a newer version of the module stored (kept, not dropped).
    internal sealed class ConfigurationDocument
    {
        public int Version { get; set; } = 1;

        public string? DefaultProfile { get; set; }

        public Dictionary<string, JsonObject> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; set; }
    }

    // What is read: profiles as the file spells them, so that nulls can be reported (names repeated in any case are
    // found before, by RepeatedKey).
    internal sealed class StoredDocument
    {
        public int Version { get; set; } = 1;

        public string? DefaultProfile { get; set; }

        public Dictionary<string, JsonObject?>? Profiles { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; set; }
    }
}

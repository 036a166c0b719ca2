using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Security;

namespace AitreTts.Tests.Configuration;

// What the configuration file may hold, and what a change does to it when other writers or old files are around.
public sealed class ConfigurationStoreTests : IDisposable
{
    private const string Key = "tk-store-key-00000000000000000";
    private readonly string _directory = Directory.CreateTempSubdirectory("aitretts-store-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string ConfigPath => Path.Combine(_directory, "AitreTts", "config.json");

    private string KeyPath => Path.Combine(_directory, "AitreTts", "secret.key");

    private void WriteConfig(string json, bool byteOrderMark = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.WriteAllText(ConfigPath, json, new UTF8Encoding(byteOrderMark));
    }

    [Theory]
    [InlineData("timeoutSec", "0")]
    [InlineData("timeoutSec", "86401")]
    [InlineData("timeoutSec", "-5")]
    [InlineData("maximumRetryCount", "-1")]
    [InlineData("maximumRetryCount", "11")]
    [InlineData("maximumRetryCount", "1000000")]
    [InlineData("retryIntervalSec", "-0.5")]
    [InlineData("retryIntervalSec", "60.5")]
    [InlineData("format", "\"wma\"")]
    [InlineData("provider", "\"Nobody\"")]
    [InlineData("provider", "\"42\"")]
    public void Load_RefusesAStoredValueTheParameterWouldRefuse(string field, string value)
    {
        WriteConfig($"{{ \"profiles\": {{ \"work\": {{ \"{field}\": {value} }} }} }}");
        TtsException error = Assert.Throws<TtsException>(() => new ConfigurationStore(ConfigPath).Snapshot().Load("work"));
        Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
        Assert.Equal(TtsErrorCategory.InvalidData, error.Category);
        Assert.Contains("'work'", error.Message);
        Assert.Contains(field == "format" || field == "provider" ? value.Trim('"') : field, error.Message);
    }

    [Theory]
    [InlineData("timeoutSec", "1")]
    [InlineData("timeoutSec", "86400")]
    [InlineData("maximumRetryCount", "0")]
    [InlineData("maximumRetryCount", "10")]
    [InlineData("retryIntervalSec", "0")]
    [InlineData("retryIntervalSec", "60")]
    public void Load_AcceptsTheEdgesOfEachRange(string field, string value)
    {
        WriteConfig($"{{ \"profiles\": {{ \"default\": {{ \"{field}\": {value} }} }} }}");
        _ = new ConfigurationStore(ConfigPath).Snapshot().Load(ConfigurationStore.DefaultProfileName);
    }

    // The parse of the file is kept for the next call (ParsedFiles): an edit must still take effect on the next call
    // when it keeps the file's length and even its write time (two writes within one tick of the clock).
    [Fact]
    public void Snapshot_SeesAnEditOfTheSameLengthAndWriteTime()
    {
        WriteConfig("{ \"profiles\": { \"default\": { \"voice\": \"alloy\" } } }");
        DateTime written = File.GetLastWriteTimeUtc(ConfigPath);
        Assert.Equal("alloy", new ConfigurationStore(ConfigPath).Snapshot().Load(ConfigurationStore.DefaultProfileName).Get(Setting.Voice));

        WriteConfig("{ \"profiles\": { \"default\": { \"voice\": \"verse\" } } }");
        File.SetLastWriteTimeUtc(ConfigPath, written);

        Assert.Equal("verse", new ConfigurationStore(ConfigPath).Snapshot().Load(ConfigurationStore.DefaultProfileName).Get(Setting.Voice));
    }

    [Fact]
    public void Snapshot_SeesAFileThatTurnedInvalidAfterAGoodRead()
    {
        WriteConfig("{ \"profiles\": { \"default\": { \"voice\": \"alloy\" } } }");
        _ = new ConfigurationStore(ConfigPath).Snapshot();

        WriteConfig("{ \"profiles\": { \"default\": { \"voice\": \"alloy\" } }");

        TtsException error = Assert.Throws<TtsException>(() => new ConfigurationStore(ConfigPath).Snapshot());
        Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
    }

    [Fact]
    public void Save_DoesNotChangeASnapshotTakenBefore()
    {
        WriteConfig("{ \"profiles\": { \"default\": { \"voice\": \"alloy\" } } }");
        var store = new ConfigurationStore(ConfigPath);
        ConfigurationStore.StoredConfiguration before = store.Snapshot();

        var changes = new TtsSettings();
        changes.Set(Setting.Voice, "verse");
        store.Save(changes);

        Assert.Equal("alloy", before.Load(ConfigurationStore.DefaultProfileName).Get(Setting.Voice));
        Assert.Equal("verse", store.Snapshot().Load(ConfigurationStore.DefaultProfileName).Get(Setting.Voice));
    }

    [Fact]
    public void Load_ReportsANumberTooLargeForItsFieldAsInvalid()
    {
        WriteConfig("{ \"profiles\": { \"default\": { \"timeoutSec\": 99999999999999 } } }");
        TtsException error = Assert.Throws<TtsException>(() => new ConfigurationStore(ConfigPath).Snapshot().Load(ConfigurationStore.DefaultProfileName));
        Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
    }

    [Fact]
    public void Save_FixesAnOutOfRangeValueThatLoadRefuses()
    {
        WriteConfig("{ \"profiles\": { \"default\": { \"maximumRetryCount\": 1000000 } } }");
        var store = new ConfigurationStore(ConfigPath);
        store.Save(new TtsSettings { { Setting.MaximumRetryCount, 3 } });
        Assert.Equal(3, store.Snapshot().Load(ConfigurationStore.DefaultProfileName).Get(Setting.MaximumRetryCount));
    }

    [Fact]
    public void Save_RemovesTemporaryFilesADeadWriterLeftBehind()
    {
        // kill -9 between writing a temporary file and renaming it leaves one that holds encrypted keys; only a
        // holder of the lock writes them, so one found under the lock is dead.
        var store = new ConfigurationStore(ConfigPath);
        store.Save(new TtsSettings { { Setting.ApiKey, SecretText.ToSecureString(Key) } });
        string folder = Path.GetDirectoryName(ConfigPath)!;
        string deadConfig = Path.Combine(folder, ".config.json.0badf00d.tmp");
        string deadKey = Path.Combine(folder, ".secret.key.0badf00d.tmp");
        string unrelated = Path.Combine(folder, "notes.tmp");
        File.WriteAllText(deadConfig, "{ \"profiles\": {} }");
        File.WriteAllText(deadKey, "half a key");
        File.WriteAllText(unrelated, "not ours");

        store.Save(new TtsSettings { { Setting.Voice, "nova" } });

        Assert.False(File.Exists(deadConfig));
        Assert.False(File.Exists(deadKey));
        Assert.True(File.Exists(unrelated));
        Assert.Equal("nova", store.Snapshot().Load(ConfigurationStore.DefaultProfileName).Get(Setting.Voice));
        Assert.Equal(new[] { unrelated }, Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public void Load_ReportsANullProfileAsInvalid()
    {
        WriteConfig("{ \"profiles\": { \"default\": null } }");
        TtsException error = Assert.Throws<TtsException>(() => new ConfigurationStore(ConfigPath).Snapshot());
        Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
        Assert.Contains("'default'", error.Message);
    }

    [Fact]
    public void Load_ReportsProfilesThatDifferOnlyInCase()
    {
        WriteConfig("{ \"profiles\": { \"a\": { \"voice\": \"nova\" }, \"A\": { \"voice\": \"echo\" } } }");
        TtsException error = Assert.Throws<TtsException>(() => new ConfigurationStore(ConfigPath).Snapshot());
        Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
        Assert.Contains("'a' and 'A'", error.Message);
        Assert.Contains("differ only in case", error.Message);
    }

    [Theory]
    [InlineData("{ \"profiles\": { \"default\": { \"voice\": \"nova\", \"voice\": \"echo\" } } }", "the key 'voice' twice in profiles.default")]
    [InlineData("{ \"profiles\": { \"default\": { \"voice\": \"nova\", \"Voice\": \"echo\" } } }", "the keys 'voice' and 'Voice' in profiles.default")]
    [InlineData("{ \"profiles\": { \"w\": { \"headers\": { \"X-A\": \"1\", \"X-A\": \"2\" } } } }", "the key 'X-A' twice in profiles.w.headers")]
    [InlineData("{ \"version\": 1, \"profiles\": {}, \"version\": 2 }", "the key 'version' twice at the top level")]
    public void LoadAndSave_ReportARepeatedKeyAsInvalidAndLeaveTheFile(string json, string named)
    {
        WriteConfig(json);
        var store = new ConfigurationStore(ConfigPath);
        foreach (Action use in new Action[] { () => store.Snapshot().Load("default"), () => store.Save(new TtsSettings { { Setting.Voice, "onyx" } }) })
        {
            TtsException error = Assert.Throws<TtsException>(use);
            Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
            Assert.Equal(TtsErrorCategory.InvalidData, error.Category);
            Assert.Contains(named, error.Message);
            Assert.Contains(ConfigPath, error.Message);
        }

        Assert.Equal(json, File.ReadAllText(ConfigPath));
    }

    // The analyzer cannot see Skip.If: the attribute tells it these file-mode calls never run on Windows.
    [SkippableTheory]
    [UnsupportedOSPlatform("windows")]
    [InlineData("config.json", false)]
    [InlineData("secret.key", false)]
    [InlineData(".config.lock", true)]
    public void LoadAndSave_RefuseAPrivateFileThatIsALinkAndLeaveItsTarget(string name, bool onlyWhenSaving)
    {
        Skip.If(OperatingSystem.IsWindows(), "Creating a symbolic link on Windows needs a privilege tests do not have.");
        string target = Path.Combine(_directory, "elsewhere");
        File.WriteAllText(target, "root:x:0:0:root:/root:/bin/sh\n");
        File.SetUnixFileMode(target, (UnixFileMode)0x1A4); // 0644
        string link = Path.Combine(_directory, "AitreTts", name);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, target);
        var store = new ConfigurationStore(ConfigPath);

        var uses = new List<Action> { () => store.Save(new TtsSettings { { Setting.Voice, "onyx" } }) };
        if (!onlyWhenSaving)
        {
            uses.Add(() => store.Snapshot());
        }

        foreach (Action use in uses)
        {
            TtsException error = Assert.Throws<TtsException>(use);
            Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
            Assert.Contains(link + " is a symbolic link", error.Message);
        }

        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(target));
        Assert.Equal("root:x:0:0:root:/root:/bin/sh\n", File.ReadAllText(target));
        Assert.Equal(target, new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void Load_AcceptsAByteOrderMark()
    {
        WriteConfig("{ \"profiles\": { \"default\": { \"voice\": \"nova\" } } }", byteOrderMark: true);
        Assert.Equal(0xEF, File.ReadAllBytes(ConfigPath)[0]);
        Assert.Equal("nova", new ConfigurationStore(ConfigPath).Snapshot().Load(ConfigurationStore.DefaultProfileName).Get(Setting.Voice));
    }

    [Fact]
    public void Save_KeepsFieldsANewerVersionWrote()
    {
        WriteConfig("{ \"version\": 1, \"telemetry\": { \"on\": false }, \"profiles\": { \"default\": { \"voice\": \"nova\", \"sampleRate\": 24000 } } }");
        new ConfigurationStore(ConfigPath).Save(new TtsSettings { { Setting.Model, "tts-1-hd" } });
        JsonNode written = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        Assert.False(written["telemetry"]!["on"]!.GetValue<bool>());
        Assert.Equal(24000, written["profiles"]!["default"]!["sampleRate"]!.GetValue<int>());
        Assert.Equal("nova", written["profiles"]!["default"]!["voice"]!.GetValue<string>());
        Assert.Equal("tts-1-hd", written["profiles"]!["default"]!["model"]!.GetValue<string>());
    }

    [Fact]
    public void Load_RefusesATamperedKey()
    {
        var store = new ConfigurationStore(ConfigPath);
        store.Save(new TtsSettings { { Setting.ApiKey, SecretText.ToSecureString(Key) } });
        JsonNode document = JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        string stored = document["profiles"]!["default"]!["apiKey"]!.GetValue<string>();
        int colon = stored.IndexOf(':');
        byte[] payload = Convert.FromBase64String(stored.Substring(colon + 1));
        // The first bytes are the AES IV (DPAPI's header on Windows): changing one still decrypts without the HMAC.
        payload[0] ^= 1;
        document["profiles"]!["default"]!["apiKey"] = stored.Substring(0, colon + 1) + Convert.ToBase64String(payload);
        File.WriteAllText(ConfigPath, document.ToJsonString());

        TtsException error = Assert.Throws<TtsException>(() => store.Snapshot().Load(ConfigurationStore.DefaultProfileName));
        Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
    }

    [SkippableFact]
    public void Load_NeverCreatesOrReplacesTheKeyFile()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows protects the key with DPAPI, without a key file.");
        var store = new ConfigurationStore(ConfigPath);
        store.Save(new TtsSettings { { Setting.ApiKey, SecretText.ToSecureString(Key) } });
        byte[] damaged = File.ReadAllBytes(KeyPath).Concat(new byte[] { 7 }).ToArray();
        File.WriteAllBytes(KeyPath, damaged);

        TtsException error = Assert.Throws<TtsException>(() => store.Snapshot().Load(ConfigurationStore.DefaultProfileName));
        Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
        Assert.Contains("65 bytes", error.Message);
        Assert.Equal(damaged, File.ReadAllBytes(KeyPath));

        File.Delete(KeyPath);
        error = Assert.Throws<TtsException>(() => store.Snapshot().Load(ConfigurationStore.DefaultProfileName));
        Assert.Contains("missing", error.Message);
        Assert.False(File.Exists(KeyPath));
    }

    [Fact]
    public void Save_WaitsForTheLockAndThenReportsConfigurationLocked()
    {
        var store = new ConfigurationStore(ConfigPath) { LockTimeout = TimeSpan.FromMilliseconds(300) };
        store.Save(new TtsSettings { { Setting.Voice, "nova" } });
        using (new FileStream(store.LockFilePath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            TtsException error = Assert.Throws<TtsException>(() => store.Save(new TtsSettings { { Setting.Voice, "echo" } }));
            Assert.Equal(TtsErrorIds.ConfigurationLocked, error.ErrorId);
            Assert.Equal(TtsErrorCategory.ResourceUnavailable, error.Category);
        }

        store.Save(new TtsSettings { { Setting.Voice, "echo" } });
        Assert.Equal("echo", store.Snapshot().Load(ConfigurationStore.DefaultProfileName).Get(Setting.Voice));
    }

    [Fact]
    public async Task Save_FromManyWritersAtOnceKeepsEveryProfileAndKey()
    {
        // Separate stores, as separate processes would have; the lock file is what keeps them apart.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(() =>
        {
            var store = new ConfigurationStore(ConfigPath);
            for (int i = 0; i < 5; i++)
            {
                store.Save(new TtsSettings { { Setting.ApiKey, SecretText.ToSecureString($"{Key}-{writer}-{i}") } }, $"p{writer}-{i}");
            }
        })));

        ConfigurationStore.StoredConfiguration stored = new ConfigurationStore(ConfigPath).Snapshot();
        Assert.Equal(40, stored.ProfileNames.Count);
        foreach (string name in stored.ProfileNames)
        {
            Assert.Equal($"{Key}-{name.Substring(1)}", SecretText.Reveal(stored.Load(name).Get(Setting.ApiKey)!));
        }
    }

    [Fact]
    public async Task Save_WaitsWhileAnotherWriterHoldsTheLock_ThenReadsWhatThatWriterWrote()
    {
        // The holder is another store's writer in the middle of its change: it holds the lock exactly as the store
        // takes it (its own FileStream, as a separate process would have), and writes its profile before letting go.
        // The waiter must neither write nor read the file until then, or one of the two profiles is lost.
        var store = new ConfigurationStore(ConfigPath);
        store.Save(new TtsSettings { { Setting.Voice, "nova" } }, "before");
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var waiterStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task waiter;
        using (HoldTheLockAsAWriterDoes(new ConfigurationStore(ConfigPath)))
        {
            order.Enqueue("holder locked");
            waiter = Task.Run(() =>
            {
                var other = new ConfigurationStore(ConfigPath) { LockTimeout = TimeSpan.FromSeconds(120) };
                waiterStarted.SetResult();
                other.Save(new TtsSettings { { Setting.Voice, "echo" } }, "waiter");
                order.Enqueue("waiter saved");
            });
            await waiterStarted.Task;

            // A lock that does not exclude lets the waiter through now: give it the chance to show that. The correct
            // store waits however long this takes, so the pause decides nothing on a slow machine.
            await Task.WhenAny(waiter, Task.Delay(TimeSpan.FromSeconds(2)));

            // The holder's own change, made as every writer makes it: the whole file replaced at once.
            string scratch = Path.Combine(_directory, "scratch", "config.json");
            var holder = new ConfigurationStore(scratch);
            holder.Save(new TtsSettings { { Setting.Voice, "nova" } }, "before");
            holder.Save(new TtsSettings { { Setting.Voice, "onyx" } }, "holder");
            File.Copy(scratch, ConfigPath, overwrite: true);
            order.Enqueue("holder unlocked");
        }

        await waiter.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(new[] { "holder locked", "holder unlocked", "waiter saved" }, order.ToArray());
        ConfigurationStore.StoredConfiguration stored = new ConfigurationStore(ConfigPath).Snapshot();
        Assert.Equal(new[] { "before", "holder", "waiter" }, stored.ProfileNames.OrderBy(n => n, StringComparer.Ordinal).ToArray());
        Assert.Equal("onyx", stored.Load("holder").Get(Setting.Voice));
        Assert.Equal("echo", stored.Load("waiter").Get(Setting.Voice));
    }

    /// <summary>The store's own lock, taken the way every change takes it, so a weaker lock shows here too.</summary>
    private static FileStream HoldTheLockAsAWriterDoes(ConfigurationStore store)
    {
        System.Reflection.MethodInfo acquire = typeof(ConfigurationStore).GetMethod("AcquireLock", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            ?? throw new InvalidOperationException("ConfigurationStore.AcquireLock was renamed: point this test's holder at the method that takes the lock.");
        return (FileStream)acquire.Invoke(store, null)!;
    }

    [Fact]
    public void SetMemberNames_NamesParametersAndNoValues()
    {
        var settings = new TtsSettings { { Setting.BaseUrl, "https://gateway.example.com" }, { Setting.ApiKey, SecretText.ToSecureString(Key) } };
        Assert.Equal(new[] { "BaseUrl", "ApiKey" }, settings.SetMemberNames());
        Assert.Equal("BaseUrl, ApiKey", settings.ToString());
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.Versioning;
using System.Security;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Providers;
using AitreTts.Core.Errors;
using AitreTts.Core.Security;
using AitreTts.Tests.Support;

namespace AitreTts.Tests.Configuration;

public sealed class ConfigurationTests : IDisposable
{
    private const string FileKey = "tk-file-key-000000000000000000";
    private readonly string _directory = Directory.CreateTempSubdirectory("aitretts-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string ConfigPath => Path.Combine(_directory, "AitreTts", "config.json");

    [Fact]
    public void Save_PersistsEverySettingAndTheKeyProtected()
    {
        var store = new ConfigurationStore(ConfigPath);
        store.Save(new TtsSettings
        {
            { Setting.ApiKey, SecretText.ToSecureString(FileKey) },
            { Setting.BaseUrl, "https://gateway.example.com" },
            { Setting.Model, "tts-1-hd" },
            { Setting.Voice, "nova" },
            { Setting.Format, AudioFormat.Opus },
            { Setting.OutputDirectory, "/srv/announce" },
            { Setting.TimeoutSec, 30 },
            { Setting.MaximumRetryCount, 4 },
            { Setting.RetryIntervalSec, 1.5 }});

        string raw = File.ReadAllText(ConfigPath);
        Assert.DoesNotContain(FileKey, raw);
        Assert.DoesNotContain("file-key", raw);

        TtsSettings loaded = new ConfigurationStore(ConfigPath).Snapshot().Load(ConfigurationStore.DefaultProfileName);
        Assert.Equal(FileKey, SecretText.Reveal(loaded.Get(Setting.ApiKey)!));
        Assert.Equal("https://gateway.example.com", loaded.Get(Setting.BaseUrl));
        Assert.Equal("tts-1-hd", loaded.Get(Setting.Model));
        Assert.Equal("nova", loaded.Get(Setting.Voice));
        Assert.Equal(AudioFormat.Opus, loaded.Get(Setting.Format));
        Assert.Equal("/srv/announce", loaded.Get(Setting.OutputDirectory));
        Assert.Equal(30, loaded.Get(Setting.TimeoutSec));
        Assert.Equal(4, loaded.Get(Setting.MaximumRetryCount));
        Assert.Equal(1.5, loaded.Get(Setting.RetryIntervalSec));
    }

    [Fact]
    public void Save_MergesWithWhatWasStored()
    {
        var store = new ConfigurationStore(ConfigPath);
        store.Save(new TtsSettings { { Setting.ApiKey, SecretText.ToSecureString(FileKey) }, { Setting.Voice, "nova" } });
        store.Save(new TtsSettings { { Setting.Model, "tts-1-hd" } });
        TtsSettings loaded = store.Snapshot().Load(ConfigurationStore.DefaultProfileName);
        Assert.Equal("nova", loaded.Get(Setting.Voice));
        Assert.Equal("tts-1-hd", loaded.Get(Setting.Model));
        Assert.Equal(FileKey, SecretText.Reveal(loaded.Get(Setting.ApiKey)!));
    }

    // The analyzer cannot see Skip.If: the attribute tells it these file-mode calls never run on Windows.
    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void Save_CreatesPrivateFilesOnUnix()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows.");

        new ConfigurationStore(ConfigPath).Save(new TtsSettings { { Setting.ApiKey, SecretText.ToSecureString(FileKey) } });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Path.GetDirectoryName(ConfigPath)!, "secret.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(ConfigPath)!));
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void Load_TightensAWorldReadableFileWithAWarning()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows.");

        var store = new ConfigurationStore(ConfigPath);
        store.Save(new TtsSettings { { Setting.Voice, "nova" } });
        File.SetUnixFileMode(ConfigPath, (UnixFileMode)Convert.ToInt32("644", 8));
        var log = new RecordingLog();
        store.Snapshot(log).Load(ConfigurationStore.DefaultProfileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));
        Assert.Contains(log.Warnings, w => w.Contains("0600"));
    }

    [Fact]
    public void Load_ReportsACorruptFileClearly()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.WriteAllText(ConfigPath, "{ not json");
        TtsException error = Assert.Throws<TtsException>(() => new ConfigurationStore(ConfigPath).Snapshot().Load(ConfigurationStore.DefaultProfileName));
        Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
        Assert.Contains(ConfigPath, error.Message);
    }

    [Fact]
    public void Load_OfAMissingFileIsEmpty() => Assert.Null(new ConfigurationStore(ConfigPath).Snapshot().Load(ConfigurationStore.DefaultProfileName).Get(Setting.BaseUrl));

    [Fact]
    public void Resolve_AppliesPrecedenceAndNamesEachSource()
    {
        var environment = new Dictionary<string, string> { ["AITRE_BASE_URL"] = "https://env.example.com", ["AITRE_API_KEY"] = "tk-env-key-00000000000000" };
        var file = new TtsSettings { { Setting.BaseUrl, "https://file.example.com" }, { Setting.Voice, "echo" }, { Setting.Model, "tts-1-hd" }, { Setting.TimeoutSec, 7 } };
        var session = new TtsSettings { { Setting.Voice, "nova" } };
        var call = new TtsSettings { { Setting.Model, "gpt-4o-mini-tts" } };

        EffectiveConfiguration effective = ConfigurationResolver.Resolve(call, session, Read(environment), file, "/cfg/config.json");

        Assert.Equal("gpt-4o-mini-tts", effective.Get(Setting.Model));
        Assert.Equal(SettingSource.Parameter, effective[Setting.Model].Source);
        Assert.Equal("nova", effective.Get(Setting.Voice));
        Assert.Equal(SettingSource.Process, effective[Setting.Voice].Source);
        Assert.Equal("https://env.example.com", effective.BaseUrl);
        Assert.Equal("Environment (AITRE_BASE_URL)", effective[Setting.BaseUrl].SourceText);
        Assert.Equal("tk-env-key-00000000000000", SecretText.Reveal(effective.Get(Setting.ApiKey)!));
        Assert.Equal("Environment (AITRE_API_KEY)", effective[Setting.ApiKey].SourceText);
        Assert.Equal(7, effective.Get(Setting.TimeoutSec));
        Assert.Equal("File (/cfg/config.json)", effective[Setting.TimeoutSec].SourceText);
        Assert.Equal(AudioFormat.Mp3, effective.Get(Setting.Format));
        Assert.Equal(SettingSource.Default, effective[Setting.Format].Source);
        Assert.Equal(2, effective.Get(Setting.MaximumRetryCount));
        Assert.Null(effective.Get(Setting.RetryIntervalSec));
    }

    [Fact]
    public void Resolve_FallsBackToOpenAiVariables()
    {
        var environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "tk-openai-000000000000000", ["OPENAI_BASE_URL"] = "https://api.openai.com/v1" };
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new(), new(), Read(environment), new(), "f");
        Assert.Equal("https://api.openai.com/v1", effective.BaseUrl);
        Assert.Equal("Environment (OPENAI_API_KEY)", effective[Setting.ApiKey].SourceText);
    }

    [Fact]
    public void Resolve_NeverSendsTheOpenAiKeyToAnotherServer()
    {
        var environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "tk-openai-000000000000000" };
        var file = new TtsSettings { { Setting.BaseUrl, "https://gateway.example.com" } };
        var log = new RecordingLog();
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new(), new(), Read(environment), file, "f", log);
        Assert.Null(effective.Get(Setting.ApiKey));
        Assert.Contains(log.VerboseMessages, m => m.Contains("OPENAI_API_KEY") && m.Contains("api.openai.com"));
    }

    [Fact]
    public void Resolve_HoldsBackAStoredKeyWhenTheCallNamesAnotherServer()
    {
        var file = new TtsSettings { { Setting.BaseUrl, "https://api.openai.com" }, { Setting.ApiKey, SecretText.ToSecureString(FileKey) } };
        EffectiveConfiguration other = ConfigurationResolver.Resolve(new TtsSettings { { Setting.BaseUrl, "https://proxy.example.com" } }, new(), Read(new()), file, "f");
        Assert.Null(other.Get(Setting.ApiKey));

        EffectiveConfiguration same = ConfigurationResolver.Resolve(new TtsSettings { { Setting.BaseUrl, "https://api.openai.com/v1/" } }, new(), Read(new()), file, "f");
        Assert.Equal(FileKey, SecretText.Reveal(same.Get(Setting.ApiKey)!));

        EffectiveConfiguration explicitKey = ConfigurationResolver.Resolve(
            new TtsSettings { { Setting.BaseUrl, "https://proxy.example.com" }, { Setting.ApiKey, SecretText.ToSecureString("tk-call-0000000000000000") } }, new(), Read(new()), file, "f");
        Assert.Equal("tk-call-0000000000000000", SecretText.Reveal(explicitKey.Get(Setting.ApiKey)!));
    }

    [Fact]
    public void Resolve_SaysWhyAStoredKeyWasHeldBackFromALocalServer()
    {
        // A key stored without a BaseUrl belongs to OpenAI, whatever provider the call's own URL implies.
        var file = new TtsSettings { { Setting.ApiKey, SecretText.ToSecureString(FileKey) } };
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new TtsSettings { { Setting.BaseUrl, "http://127.0.0.1:5000" } }, new(), Read(new()), file, "/cfg/config.json");
        Assert.Null(effective.Get(Setting.ApiKey));
        Assert.Contains("https://api.openai.com", effective.HeldBackKeyReason);
        Assert.Contains("/cfg/config.json", effective.HeldBackKeyReason);

        EffectiveConfiguration local = ConfigurationResolver.Resolve(new(), new(), Read(new()), new TtsSettings { { Setting.Provider, ProviderKind.Local }, { Setting.ApiKey, SecretText.ToSecureString(FileKey) } }, "f");
        Assert.Equal(FileKey, SecretText.Reveal(local.Get(Setting.ApiKey)!));
        Assert.Null(local.HeldBackKeyReason);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/openai")]
    [InlineData("http://127.0.0.1:5000/api/v1")]
    [InlineData("HTTP://127.0.0.1:5000")]
    public void Resolve_SendsAKeyToAnotherPathOfItsOwnOrigin(string callUrl)
    {
        // A key belongs to an origin (scheme, host, port): a path prefix is the same server by another route.
        var file = new TtsSettings { { Setting.BaseUrl, "http://127.0.0.1:5000" }, { Setting.ApiKey, SecretText.ToSecureString(FileKey) } };
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new TtsSettings { { Setting.BaseUrl, callUrl } }, new(), Read(new()), file, "f");
        Assert.Equal(FileKey, SecretText.Reveal(effective.Get(Setting.ApiKey)!));
        Assert.Null(effective.HeldBackKeyReason);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5001/openai", "belongs to http://127.0.0.1:5000, not http://127.0.0.1:5001 (another port)")]
    [InlineData("http://127.0.0.1:5000", "https://127.0.0.1:5000", "belongs to http://127.0.0.1:5000, not https://127.0.0.1:5000 (another scheme)")]
    [InlineData("https://gateway.example.com", "http://gateway.example.com", "(another scheme)")]
    [InlineData("https://gateway.example.com/openai", "https://other.example.com/openai", "belongs to https://gateway.example.com, not https://other.example.com (another host)")]
    [InlineData("http://localhost:5000", "http://127.0.0.1:6000", "(another host and port)")]
    public void Resolve_NamesWhatDiffersWhenItHoldsAKeyBack(string storedUrl, string callUrl, string expected)
    {
        var file = new TtsSettings { { Setting.BaseUrl, storedUrl }, { Setting.ApiKey, SecretText.ToSecureString(FileKey) } };
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new TtsSettings { { Setting.BaseUrl, callUrl } }, new(), Read(new()), file, "f");
        Assert.Null(effective.Get(Setting.ApiKey));
        Assert.Contains(expected, effective.HeldBackKeyReason);
    }

    [Fact]
    public void Resolve_UsesAFileKeyWithTheFileBaseUrl()
    {
        var file = new TtsSettings { { Setting.BaseUrl, "https://gateway.example.com" }, { Setting.ApiKey, SecretText.ToSecureString(FileKey) } };
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new(), new TtsSettings { { Setting.Voice, "nova" } }, Read(new()), file, "f");
        Assert.Equal(FileKey, SecretText.Reveal(effective.Get(Setting.ApiKey)!));
    }

    [Fact]
    public void ProcessConfiguration_IsSharedAndClearable()
    {
        ProcessConfiguration.Clear();
        ProcessConfiguration.Apply(new TtsSettings { { Setting.Voice, "onyx" } });
        ProcessConfiguration.Apply(new TtsSettings { { Setting.Model, "tts-1-hd" } });
        TtsSettings snapshot = ProcessConfiguration.Snapshot();
        Assert.Equal("onyx", snapshot.Get(Setting.Voice));
        Assert.Equal("tts-1-hd", snapshot.Get(Setting.Model));
        ProcessConfiguration.Clear();
        Assert.Null(ProcessConfiguration.Snapshot().Get(Setting.Voice));
    }

    [Fact]
    public void TtsSettings_ToStringNamesMembersButNoValues()
    {
        string text = new TtsSettings { { Setting.ApiKey, SecretText.ToSecureString(FileKey) }, { Setting.Voice, "nova" } }.ToString();
        Assert.Contains("ApiKey", text);
        Assert.DoesNotContain(FileKey, text);
        Assert.DoesNotContain("nova", text);
    }

    // A loop of calls that set nothing themselves reuses the last resolution, but only while nothing it read changed:
    // each of the file, the process settings and the environment is changed below between two calls.
    [Fact]
    public void ResolveProfile_ReusesTheLastResultOnlyWhileTheFileTheProcessAndTheEnvironmentAreUnchanged()
    {
        ProcessConfiguration.Clear();
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.WriteAllText(ConfigPath, "{ \"profiles\": { \"default\": { \"voice\": \"nova\" } } }");
        var environment = new Dictionary<string, string> { ["AITRE_BASE_URL"] = "https://one.example.com" };
        EffectiveConfiguration Resolve() => ConfigurationResolver.ResolveProfile(new TtsSettings(), new ConfigurationStore(ConfigPath).Snapshot(), null, Read(environment));

        EffectiveConfiguration first = Resolve();
        Assert.Same(first, Resolve());

        environment["AITRE_BASE_URL"] = "https://two.example.com";
        EffectiveConfiguration afterEnvironment = Resolve();
        Assert.Equal("https://two.example.com", afterEnvironment.BaseUrl);
        Assert.Equal("nova", afterEnvironment.Get(Setting.Voice));

        // A hand edit of the same length, as within one timestamp tick: the bytes differ, so the file is read anew.
        File.WriteAllText(ConfigPath, "{ \"profiles\": { \"default\": { \"voice\": \"echo\" } } }");
        Assert.Equal("echo", Resolve().Get(Setting.Voice));

        ProcessConfiguration.Apply(new TtsSettings { { Setting.Voice, "onyx" } });
        try
        {
            EffectiveConfiguration afterProcess = Resolve();
            Assert.Equal("onyx", afterProcess.Get(Setting.Voice));
            Assert.Equal(SettingSource.Process, afterProcess[Setting.Voice].Source);
        }
        finally
        {
            ProcessConfiguration.Clear();
        }

        Assert.Equal("echo", Resolve().Get(Setting.Voice));
    }

    // What the resolution told the first call (a key held back from another server) it tells every call that reuses it.
    [Fact]
    public void ResolveProfile_TellsAReusedResultsNotesAgain()
    {
        ProcessConfiguration.Clear();
        var environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "tk-openai-000000000000000", ["AITRE_BASE_URL"] = "https://gateway.example.com" };
        var first = new RecordingLog();
        var second = new RecordingLog();
        ConfigurationResolver.ResolveProfile(new TtsSettings(), new ConfigurationStore(ConfigPath).Snapshot(), null, Read(environment), first);
        EffectiveConfiguration reused = ConfigurationResolver.ResolveProfile(new TtsSettings(), new ConfigurationStore(ConfigPath).Snapshot(), null, Read(environment), second);

        Assert.NotNull(reused.HeldBackKeyReason);
        Assert.Null(reused.Get(Setting.ApiKey));
        Assert.Contains(first.VerboseMessages, m => m.Contains("held back", StringComparison.Ordinal));
        Assert.Equal(first.VerboseMessages, second.VerboseMessages);
    }

    private static Func<string, string?> Read(Dictionary<string, string> environment) =>
        name => environment.TryGetValue(name, out string? value) ? value : null;
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.Versioning;
using System.Security;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Security;

namespace AitreTts.Tests.Core;

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
            ApiKey = SecretText.ToSecureString(FileKey),
            BaseUrl = "https://gateway.example.com",
            Model = "tts-1-hd",
            Voice = "nova",
            Format = AudioFormat.Opus,
            OutputDirectory = "/srv/announce",
            TimeoutSec = 30,
            MaximumRetryCount = 4,
            RetryIntervalSec = 1.5,
        });

        string raw = File.ReadAllText(ConfigPath);
        Assert.DoesNotContain(FileKey, raw);
        Assert.DoesNotContain("file-key", raw);

        TtsSettings loaded = new ConfigurationStore(ConfigPath).Load();
        Assert.Equal(FileKey, SecretText.Reveal(loaded.ApiKey!));
        Assert.Equal("https://gateway.example.com", loaded.BaseUrl);
        Assert.Equal("tts-1-hd", loaded.Model);
        Assert.Equal("nova", loaded.Voice);
        Assert.Equal(AudioFormat.Opus, loaded.Format);
        Assert.Equal("/srv/announce", loaded.OutputDirectory);
        Assert.Equal(30, loaded.TimeoutSec);
        Assert.Equal(4, loaded.MaximumRetryCount);
        Assert.Equal(1.5, loaded.RetryIntervalSec);
    }

    [Fact]
    public void Save_MergesWithWhatWasStored()
    {
        var store = new ConfigurationStore(ConfigPath);
        store.Save(new TtsSettings { ApiKey = SecretText.ToSecureString(FileKey), Voice = "nova" });
        store.Save(new TtsSettings { Model = "tts-1-hd" });
        TtsSettings loaded = store.Load();
        Assert.Equal("nova", loaded.Voice);
        Assert.Equal("tts-1-hd", loaded.Model);
        Assert.Equal(FileKey, SecretText.Reveal(loaded.ApiKey!));
    }

    // The analyzer cannot see Skip.If: the attribute tells it these file-mode calls never run on Windows.
    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public void Save_CreatesPrivateFilesOnUnix()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes do not exist on Windows.");

        new ConfigurationStore(ConfigPath).Save(new TtsSettings { ApiKey = SecretText.ToSecureString(FileKey) });
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
        store.Save(new TtsSettings { Voice = "nova" });
        File.SetUnixFileMode(ConfigPath, (UnixFileMode)Convert.ToInt32("644", 8));
        var log = new RecordingLog();
        store.Load(log: log);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));
        Assert.Contains(log.Warnings, w => w.Contains("0600"));
    }

    [Fact]
    public void Load_ReportsACorruptFileClearly()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.WriteAllText(ConfigPath, "{ not json");
        TtsException error = Assert.Throws<TtsException>(() => new ConfigurationStore(ConfigPath).Load());
        Assert.Equal(TtsErrorIds.ConfigurationInvalid, error.ErrorId);
        Assert.Contains(ConfigPath, error.Message);
    }

    [Fact]
    public void Load_OfAMissingFileIsEmpty() => Assert.Null(new ConfigurationStore(ConfigPath).Load().BaseUrl);

    [Fact]
    public void Resolve_AppliesPrecedenceAndNamesEachSource()
    {
        var environment = new Dictionary<string, string> { ["AITRE_BASE_URL"] = "https://env.example.com", ["AITRE_API_KEY"] = "tk-env-key-00000000000000" };
        var file = new TtsSettings { BaseUrl = "https://file.example.com", Voice = "echo", Model = "tts-1-hd", TimeoutSec = 7 };
        var session = new TtsSettings { Voice = "nova" };
        var call = new TtsSettings { Model = "gpt-4o-mini-tts" };

        EffectiveConfiguration effective = ConfigurationResolver.Resolve(call, session, Read(environment), file, "/cfg/config.json");

        Assert.Equal("gpt-4o-mini-tts", effective.Model);
        Assert.Equal(SettingSource.Parameter, effective.Settings["Model"].Source);
        Assert.Equal("nova", effective.Voice);
        Assert.Equal(SettingSource.Session, effective.Settings["Voice"].Source);
        Assert.Equal("https://env.example.com", effective.BaseUrl);
        Assert.Equal("Environment (AITRE_BASE_URL)", effective.Settings["BaseUrl"].SourceText);
        Assert.Equal("tk-env-key-00000000000000", SecretText.Reveal(effective.ApiKey!));
        Assert.Equal("Environment (AITRE_API_KEY)", effective.Settings["ApiKey"].SourceText);
        Assert.Equal(7, effective.TimeoutSec);
        Assert.Equal("File (/cfg/config.json)", effective.Settings["TimeoutSec"].SourceText);
        Assert.Equal(AudioFormat.Mp3, effective.Format);
        Assert.Equal(SettingSource.Default, effective.Settings["Format"].Source);
        Assert.Equal(2, effective.MaximumRetryCount);
        Assert.Null(effective.RetryIntervalSec);
    }

    [Fact]
    public void Resolve_FallsBackToOpenAiVariables()
    {
        var environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "tk-openai-000000000000000", ["OPENAI_BASE_URL"] = "https://api.openai.com/v1" };
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new(), new(), Read(environment), new(), "f");
        Assert.Equal("https://api.openai.com/v1", effective.BaseUrl);
        Assert.Equal("Environment (OPENAI_API_KEY)", effective.Settings["ApiKey"].SourceText);
    }

    [Fact]
    public void Resolve_NeverSendsTheOpenAiKeyToAnotherServer()
    {
        var environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "tk-openai-000000000000000" };
        var file = new TtsSettings { BaseUrl = "https://gateway.example.com" };
        var log = new RecordingLog();
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new(), new(), Read(environment), file, "f", log);
        Assert.Null(effective.ApiKey);
        Assert.Contains(log.VerboseMessages, m => m.Contains("OPENAI_API_KEY") && m.Contains("api.openai.com"));
    }

    [Fact]
    public void Resolve_HoldsBackAStoredKeyWhenTheCallNamesAnotherServer()
    {
        var file = new TtsSettings { BaseUrl = "https://api.openai.com", ApiKey = SecretText.ToSecureString(FileKey) };
        EffectiveConfiguration other = ConfigurationResolver.Resolve(new TtsSettings { BaseUrl = "https://proxy.example.com" }, new(), Read(new()), file, "f");
        Assert.Null(other.ApiKey);

        EffectiveConfiguration same = ConfigurationResolver.Resolve(new TtsSettings { BaseUrl = "https://api.openai.com/v1/" }, new(), Read(new()), file, "f");
        Assert.Equal(FileKey, SecretText.Reveal(same.ApiKey!));

        EffectiveConfiguration explicitKey = ConfigurationResolver.Resolve(
            new TtsSettings { BaseUrl = "https://proxy.example.com", ApiKey = SecretText.ToSecureString("tk-call-0000000000000000") }, new(), Read(new()), file, "f");
        Assert.Equal("tk-call-0000000000000000", SecretText.Reveal(explicitKey.ApiKey!));
    }

    [Fact]
    public void Resolve_SaysWhyAStoredKeyWasHeldBackFromALocalServer()
    {
        // A key stored without a BaseUrl belongs to OpenAI, whatever provider the call's own URL implies.
        var file = new TtsSettings { ApiKey = SecretText.ToSecureString(FileKey) };
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new TtsSettings { BaseUrl = "http://127.0.0.1:5000" }, new(), Read(new()), file, "/cfg/config.json");
        Assert.Null(effective.ApiKey);
        Assert.Contains("https://api.openai.com", effective.HeldBackKeyReason);
        Assert.Contains("/cfg/config.json", effective.HeldBackKeyReason);

        EffectiveConfiguration local = ConfigurationResolver.Resolve(new(), new(), Read(new()), new TtsSettings { Provider = ProviderKind.Local, ApiKey = SecretText.ToSecureString(FileKey) }, "f");
        Assert.Equal(FileKey, SecretText.Reveal(local.ApiKey!));
        Assert.Null(local.HeldBackKeyReason);
    }

    [Fact]
    public void Resolve_UsesAFileKeyWithTheFileBaseUrl()
    {
        var file = new TtsSettings { BaseUrl = "https://gateway.example.com", ApiKey = SecretText.ToSecureString(FileKey) };
        EffectiveConfiguration effective = ConfigurationResolver.Resolve(new(), new TtsSettings { Voice = "nova" }, Read(new()), file, "f");
        Assert.Equal(FileKey, SecretText.Reveal(effective.ApiKey!));
    }

    [Fact]
    public void SessionConfiguration_IsSharedAndClearable()
    {
        SessionConfiguration.Clear();
        SessionConfiguration.Apply(new TtsSettings { Voice = "onyx" });
        SessionConfiguration.Apply(new TtsSettings { Model = "tts-1-hd" });
        TtsSettings snapshot = SessionConfiguration.Snapshot();
        Assert.Equal("onyx", snapshot.Voice);
        Assert.Equal("tts-1-hd", snapshot.Model);
        SessionConfiguration.Clear();
        Assert.Null(SessionConfiguration.Snapshot().Voice);
    }

    [Fact]
    public void TtsSettings_ToStringNamesMembersButNoValues()
    {
        string text = new TtsSettings { ApiKey = SecretText.ToSecureString(FileKey), Voice = "nova" }.ToString();
        Assert.Contains("ApiKey", text);
        Assert.DoesNotContain(FileKey, text);
        Assert.DoesNotContain("nova", text);
    }

    private static Func<string, string?> Read(Dictionary<string, string> environment) =>
        name => environment.TryGetValue(name, out string? value) ? value : null;
}

internal sealed class RecordingLog : TtsLog
{
    public List<string> VerboseMessages { get; } = new();

    public List<string> Debugs { get; } = new();

    public List<string> Warnings { get; } = new();

    public override void Verbose(string message)
    {
        lock (VerboseMessages)
        {
            VerboseMessages.Add(message);
        }
    }

    public override void Debug(string message)
    {
        lock (Debugs)
        {
            Debugs.Add(message);
        }
    }

    public override void Warning(string message)
    {
        lock (Warnings)
        {
            Warnings.Add(message);
        }
    }
}

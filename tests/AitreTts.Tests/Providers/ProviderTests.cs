using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Providers;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;
using AitreTts.Core.Voices;
using AitreTts.Tests.Support;
using TtsEmulator;

namespace AitreTts.Tests.Providers;

public sealed class ProviderTests
{
    private const string Key = "tk-provider-test-0123456789";

    [Theory]
    [InlineData("https://res.openai.azure.com", "tts", "https://res.openai.azure.com/openai/deployments/tts/audio/speech?api-version=2024-10-21")]
    [InlineData("https://res.openai.azure.com/", "tts", "https://res.openai.azure.com/openai/deployments/tts/audio/speech?api-version=2024-10-21")]
    [InlineData("https://res.openai.azure.com//", "tts", "https://res.openai.azure.com/openai/deployments/tts/audio/speech?api-version=2024-10-21")]
    [InlineData("https://res.openai.azure.com/openai/deployments/old/audio/speech", "tts", "https://res.openai.azure.com/openai/deployments/tts/audio/speech?api-version=2024-10-21")]
    [InlineData("https://res.openai.azure.com/openai/v1/", null, "https://res.openai.azure.com/openai/v1/audio/speech")]
    [InlineData("https://res.cognitiveservices.azure.com", null, "https://res.cognitiveservices.azure.com/openai/v1/audio/speech")]
    [InlineData("https://res.openai.azure.com", "my tts", "https://res.openai.azure.com/openai/deployments/my%20tts/audio/speech?api-version=2024-10-21")]
    public void Azure_BuildsBothRoutesWithoutDoubleSlashes(string baseUrl, string? deployment, string expected)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create(baseUrl, SecretText.ToSecureString(Key), provider: ProviderKind.AzureOpenAI, deployment: deployment);
        Assert.Equal(expected, endpoint.SpeechUri.AbsoluteUri);
        Assert.Null(endpoint.VoicesUri);
    }

    [Fact]
    public void Azure_TakesTheApiVersionGiven()
    {
        TtsEndpoint endpoint = TtsEndpoint.Create("https://res.openai.azure.com", SecretText.ToSecureString(Key), provider: ProviderKind.AzureOpenAI, deployment: "tts", apiVersion: "2025-03-01-preview");
        Assert.EndsWith("api-version=2025-03-01-preview", endpoint.SpeechUri.Query);
    }

    [Theory]
    [InlineData("https://api.openai.com", ProviderKind.OpenAI)]
    [InlineData("https://my.openai.azure.com", ProviderKind.AzureOpenAI)]
    [InlineData("https://x.cognitiveservices.azure.com/", ProviderKind.AzureOpenAI)]
    [InlineData("https://api.apimart.ai", ProviderKind.Apimart)]
    [InlineData("http://localhost:8880", ProviderKind.Local)]
    [InlineData("http://127.0.0.1:5000", ProviderKind.Local)]
    [InlineData("https://gateway.example.com", ProviderKind.OpenAICompatible)]
    public void Infer_TellsTheProviderFromTheUrl(string url, ProviderKind expected) => Assert.Equal(expected, ProviderProfile.Infer(url));

    [Theory]
    [InlineData(ProviderKind.OpenAI, "https://api.openai.com", "tts-1", AudioFormat.Mp3)]
    [InlineData(ProviderKind.Apimart, "https://api.apimart.ai", "gpt-4o-mini-tts", AudioFormat.Wav)]
    [InlineData(ProviderKind.Aitre, "", "tts-1", AudioFormat.Mp3)]
    [InlineData(ProviderKind.Local, "http://localhost:8880", "tts-1", AudioFormat.Mp3)]
    public void Resolve_TakesTheProvidersDefaults(ProviderKind provider, string baseUrl, string model, object formatValue)
    {
        var format = (AudioFormat)formatValue;
        EffectiveConfiguration configuration = ConfigurationResolver.Resolve(new(), new(), _ => null, new TtsSettings { { Setting.Provider, provider } }, "f");
        Assert.Equal(baseUrl, configuration.BaseUrl);
        Assert.Equal(model, configuration.Get(Setting.Model));
        Assert.Equal(format, configuration.Get(Setting.Format));
        Assert.Equal(provider, configuration.Provider);
    }

    [Fact]
    public void Resolve_MakesTheAzureDeploymentTheDefaultModel()
    {
        var file = new TtsSettings { { Setting.Provider, ProviderKind.AzureOpenAI }, { Setting.BaseUrl, "https://res.openai.azure.com" }, { Setting.Deployment, "tts-prod" } };
        EffectiveConfiguration configuration = ConfigurationResolver.Resolve(new(), new(), _ => null, file, "f");
        Assert.Equal("tts-prod", configuration.Get(Setting.Model));
        Assert.Equal("tts-1-hd", ConfigurationResolver.Resolve(new TtsSettings { { Setting.Model, "tts-1-hd" } }, new(), _ => null, file, "f").Get(Setting.Model));
    }

    [Theory]
    [InlineData(ProviderKind.OpenAI, "tk-openai-0123456789", "Authorization", "Bearer tk-openai-0123456789")]
    [InlineData(ProviderKind.OpenAICompatible, "tk-gateway-0123456789", "Authorization", "Bearer tk-gateway-0123456789")]
    [InlineData(ProviderKind.AzureOpenAI, "azure-key-0123456789", "api-key", "azure-key-0123456789")]
    [InlineData(ProviderKind.AzureOpenAI, "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl", "Authorization", "Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl")]
    public void Profile_SaysWhichHeaderCarriesTheKey(ProviderKind provider, string key, string header, string value)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create("https://res.openai.azure.com", SecretText.ToSecureString(key), provider: provider);
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint.SpeechUri);
        endpoint.ApplyHeaders(message, endpoint.SpeechUri);
        Assert.Equal(value, string.Join(",", message.Headers.GetValues(header)));
        Assert.Single(message.Headers, h => h.Key is "Authorization" or "api-key");
    }

    [Theory]
    [InlineData("https://my.services.ai.azure.com/openai/v1/audio/speech", true)]
    [InlineData("https://my.openai.azure.com/v1/audio/speech", true)]
    [InlineData("https://apim.contoso.com/openai/deployments/tts/audio/speech", true)]
    [InlineData("https://api.groq.com/openai/v1/audio/speech", false)]
    [InlineData("http://127.0.0.1:5000/openai/v1/audio/speech", false)]
    public void Hosts_AreOneListForInferenceAndErrors(string url, bool azure)
    {
        // The URL that infers Azure is the URL whose 404 explains Azure's deployments, and no other.
        Assert.Equal(azure, ProviderProfile.Infer(url) == ProviderKind.AzureOpenAI);
        TtsException error = HttpErrorMapper.FromResponse(404, "Not Found", "application/json", "{\"error\":{\"code\":\"404\",\"message\":\"Resource not found\"}}", null, new Uri(url), 1);
        Assert.Equal(azure, error.Hint!.Contains("/openai/deployments/{deployment}/audio/speech"));
    }

    [Fact]
    public void Errors_FollowTheEndpointsProviderOverItsUrl()
    {
        // An Azure resource behind a gateway of the user's own: -Provider AzureOpenAI, on the v1 route.
        var uri = new Uri("https://tts.contoso.com/openai/v1/audio/speech");
        Assert.DoesNotContain("deployment", HttpErrorMapper.FromResponse(404, "Not Found", null, null, null, uri, 1).Hint);
        Assert.Contains("deployment", HttpErrorMapper.FromResponse(404, "Not Found", null, null, null, uri, 1, provider: ProviderProfile.For(ProviderKind.AzureOpenAI)).Hint);
    }

    [Theory]
    [InlineData(ProviderKind.OpenAI, false, true)]
    [InlineData(ProviderKind.AzureOpenAI, false, true)]
    [InlineData(ProviderKind.Local, true, true)]
    [InlineData(ProviderKind.OpenAICompatible, true, true)]
    public void Routes_OfferVoiceAndModelListsOnlyWhereTheProviderServesThem(ProviderKind provider, bool voices, bool models)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create("https://host.example.com/prefix", SecretText.ToSecureString(Key), provider: provider);
        Assert.Equal(voices ? "https://host.example.com/prefix/v1/audio/voices" : null, endpoint.VoicesUri?.AbsoluteUri);
        Assert.Equal(models, endpoint.ModelsUri is not null);
    }

    [Fact]
    public void VoiceLists_AreReadOnlyInTheShapesTheProviderSends()
    {
        using var document = System.Text.Json.JsonDocument.Parse("{\"voices\":[\"af_bella\",\"am_adam\"]}");
        Assert.Equal(new[] { "af_bella", "am_adam" }, VoiceDiscovery.ParseVoices(document.RootElement, "s", ProviderProfile.For(ProviderKind.Local).VoiceLists)!.Select(v => v.Name));
        Assert.Null(VoiceDiscovery.ParseVoices(document.RootElement, "s", ProviderProfile.For(ProviderKind.OpenAI).VoiceLists));
        Assert.Null(VoiceDiscovery.ParseVoices(document.RootElement, "s", VoiceListShapes.DataObjects));
    }

    [Theory]
    [InlineData(ProviderKind.OpenAI, "tts-1", 1_000_000, 15.0)]
    [InlineData(ProviderKind.AzureOpenAI, "tts-1-hd", 1_000_000, 30.0)]
    [InlineData(ProviderKind.OpenAI, "gpt-4o-mini-tts", 900, 0.015)]
    [InlineData(ProviderKind.Offline, "tts-1", 1_000_000, 0.0)]
    [InlineData(ProviderKind.Local, "tts-1", 1_000_000, null)]
    [InlineData(ProviderKind.OpenAI, "tts-9", 1_000_000, null)]
    public void ListPrices_AreTheProvidersOwn(ProviderKind provider, string model, int characters, double? dollars)
    {
        PriceQuote quote = ProviderProfile.For(provider).Quote(model, characters, speed: 1.0, storedPricePerMillionCharacters: null);
        Assert.Equal(dollars, quote.Dollars is double d ? Math.Round(d, 6) : null);
        Assert.Equal(2.0, ProviderProfile.For(ProviderKind.Local).Quote(model, 1_000_000, 1.0, storedPricePerMillionCharacters: 2).Dollars);
    }

    [Fact]
    public void Aitre_NeedsABaseUrlAndSaysSo()
    {
        TtsException error = Assert.Throws<TtsException>(() => TtsEndpoint.Create(string.Empty, SecretText.ToSecureString(Key), provider: ProviderKind.Aitre));
        Assert.Equal(TtsErrorIds.InvalidBaseUrl, error.ErrorId);
        Assert.Contains("Set-TtsConfiguration -BaseUrl", error.Message);
    }

    [Fact]
    public void Local_NeedsNoKeyEvenOnAnotherHost()
    {
        Assert.Null(TtsEndpoint.Create("http://192.0.2.10:8880", null, provider: ProviderKind.Local).ApiKey);
        Assert.Equal(TtsErrorIds.ApiKeyMissing, Assert.Throws<TtsException>(() => TtsEndpoint.Create("http://192.0.2.10:8880", null, provider: ProviderKind.OpenAICompatible)).ErrorId);
    }

    [Theory]
    [InlineData(ProviderKind.Aitre, AudioFormat.Wav, "alloy", "documents only mp3, opus, aac, flac")]
    [InlineData(ProviderKind.Aitre, AudioFormat.Mp3, "coral", "documents only the voices")]
    [InlineData(ProviderKind.Apimart, AudioFormat.Mp3, "alloy", "mp3 may be refused")]
    public void Advice_DescribesDocumentedLimitsWithoutRefusing(ProviderKind provider, object format, string voice, string expected) =>
        Assert.Contains(expected, ProviderProfile.For(provider).Advice((AudioFormat)format, voice));

    [Fact]
    public void Advice_IsSilentWithinTheDocumentedLimits()
    {
        Assert.Null(ProviderProfile.For(ProviderKind.Aitre).Advice(AudioFormat.Opus, "nova"));
        Assert.Null(ProviderProfile.For(ProviderKind.OpenAI).Advice(AudioFormat.Pcm, "marin"));
    }

    [Fact]
    public void Resolve_IgnoresTheEnvironmentForANamedNonDefaultProfile()
    {
        var environment = new Dictionary<string, string> { ["AITRE_BASE_URL"] = "https://env.example.com" };
        var file = new TtsSettings { { Setting.BaseUrl, "https://profile.example.com" } };
        Assert.Equal("https://env.example.com", ConfigurationResolver.Resolve(new(), new(), n => environment.GetValueOrDefault(n), file, "f").BaseUrl);
        Assert.Equal("https://profile.example.com", ConfigurationResolver.Resolve(new(), new(), n => environment.GetValueOrDefault(n), file, "f", useEnvironment: false, profile: "work").BaseUrl);
    }

    [Fact]
    public void Resolve_CarriesASecretNameInPlaceOfAKey()
    {
        var file = new TtsSettings { { Setting.BaseUrl, "https://gateway.example.com" }, { Setting.ApiKeySecretName, "tts-key" }, { Setting.Vault, "corp" } };
        EffectiveConfiguration configuration = ConfigurationResolver.Resolve(new(), new(), _ => null, file, "f");
        Assert.Null(configuration.Get(Setting.ApiKey));
        Assert.Equal("tts-key", configuration.Get(Setting.ApiKeySecretName));
        Assert.Equal("corp", configuration.Get(Setting.Vault));

        EffectiveConfiguration overridden = ConfigurationResolver.Resolve(new TtsSettings { { Setting.ApiKey, SecretText.ToSecureString(Key) } }, new(), _ => null, file, "f");
        Assert.Null(overridden.Get(Setting.ApiKeySecretName));
    }

    [Fact]
    public void Store_KeepsProfilesSideBySide()
    {
        string directory = Directory.CreateTempSubdirectory("aitretts-profiles-").FullName;
        try
        {
            var store = new ConfigurationStore(Path.Combine(directory, "config.json"));
            store.Save(new TtsSettings { { Setting.Provider, ProviderKind.AzureOpenAI }, { Setting.BaseUrl, "https://res.openai.azure.com" }, { Setting.Deployment, "tts" }, { Setting.ApiKey, SecretText.ToSecureString(Key) } }, "azure");
            Assert.Equal("azure", store.Snapshot().DefaultProfile);
            store.Save(new TtsSettings { { Setting.BaseUrl, "http://localhost:8880" }, { Setting.Provider, ProviderKind.Local } }, "kokoro");
            store.Save(new TtsSettings { { Setting.Voice, "nova" } }, "default", makeDefault: true);
            Assert.Equal(new[] { "azure", "kokoro", "default" }, store.Snapshot().ProfileNames);
            Assert.Equal("default", store.Snapshot().DefaultProfile);

            TtsSettings azure = store.Snapshot().Load("azure");
            Assert.Equal(ProviderKind.AzureOpenAI, azure.Get(Setting.Provider));
            Assert.Equal("tts", azure.Get(Setting.Deployment));
            Assert.Equal(Key, SecretText.Reveal(azure.Get(Setting.ApiKey)!));
            Assert.Null(store.Snapshot().Load("kokoro").Get(Setting.ApiKey));

            Assert.True(store.RemoveApiKey("azure"));
            Assert.Null(store.Snapshot().Load("azure").Get(Setting.ApiKey));
            Assert.Equal("tts", store.Snapshot().Load("azure").Get(Setting.Deployment));
            Assert.False(store.RemoveApiKey("azure"));

            Assert.True(store.RemoveProfile("default"));
            Assert.False(store.Snapshot().HasProfile("default"));
            Assert.Equal("azure", store.Snapshot().DefaultProfile);
            Assert.False(store.RemoveProfile("nothing"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Store_ProtectsTheProxyPassword()
    {
        string directory = Directory.CreateTempSubdirectory("aitretts-proxy-").FullName;
        try
        {
            var store = new ConfigurationStore(Path.Combine(directory, "config.json"));
            store.Save(new TtsSettings { { Setting.Proxy, "http://proxy.corp:8080" }, { Setting.ProxyUserName, "svc" }, { Setting.ProxyPassword, SecretText.ToSecureString("proxy-pass-123456") } });
            Assert.DoesNotContain("proxy-pass", File.ReadAllText(store.FilePath));
            TtsSettings loaded = store.Snapshot().Load(ConfigurationStore.DefaultProfileName);
            Assert.Equal("svc", loaded.Get(Setting.ProxyUserName));
            Assert.Equal("proxy-pass-123456", SecretText.Reveal(loaded.Get(Setting.ProxyPassword)!));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Azure_DeploymentRouteSendsTheApiKeyHeaderAndTheDeploymentAsModel()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { RequiredApiKey = Key });
        TtsEndpoint endpoint = TtsEndpoint.Create(emulator.BaseUrl + "/", SecretText.ToSecureString(Key), provider: ProviderKind.AzureOpenAI, deployment: "tts-deploy");
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(30));
        using var audio = new MemoryStream();
        await client.SynthesizeAsync(new SpeechRequest("tts-deploy", "Hello Azure", "alloy", AudioFormat.Mp3), audio, CancellationToken.None);

        RecordedRequest request = Assert.Single(emulator.Requests);
        Assert.Equal("/openai/deployments/tts-deploy/audio/speech", request.Path);
        Assert.Contains("api-version=2024-10-21", request.QueryString);
        Assert.Equal(Key, request.Headers["api-key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Equal(200, request.StatusCode);
        Assert.True(audio.Length > 1000);
    }

    [Fact]
    public async Task Azure_V1RouteWithAnEntraTokenSendsBearer()
    {
        const string token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl";
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { RequiredApiKey = token });
        TtsEndpoint endpoint = TtsEndpoint.Create(emulator.BaseUrl + "//", SecretText.ToSecureString(token), provider: ProviderKind.AzureOpenAI);
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(30));
        using var audio = new MemoryStream();
        await client.SynthesizeAsync(new SpeechRequest("tts-1", "Hello v1", "alloy", AudioFormat.Mp3), audio, CancellationToken.None);

        RecordedRequest request = Assert.Single(emulator.Requests);
        Assert.Equal("/openai/v1/audio/speech", request.Path);
        Assert.Equal("Bearer " + token, request.Headers["Authorization"]);
    }

    [Theory]
    [InlineData(VoicesEndpointShape.Objects)]
    [InlineData(VoicesEndpointShape.LegacyStrings)]
    public async Task Voices_AreDiscoveredInBothShapesAndCached(VoicesEndpointShape shape)
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true, VoicesShape = shape, Voices = new[] { "af_bella", "am_adam" } });
        (SpeechClient client, TtsEndpoint endpoint) = LocalClient(emulator);
        string cacheKey = "test-" + Guid.NewGuid().ToString("N");

        DiscoveredList<TtsVoice> first = await VoiceDiscovery.GetVoicesAsync(client, endpoint, cacheKey, refresh: false, TtsLog.None, CancellationToken.None);
        DiscoveredList<TtsVoice> second = await VoiceDiscovery.GetVoicesAsync(client, endpoint, cacheKey, refresh: false, TtsLog.None, CancellationToken.None);
        Assert.True(first.FromServer);
        Assert.Equal(new[] { "af_bella", "am_adam" }, first.Items.Select(v => v.Name));
        Assert.Same(first, second);
        Assert.Single(emulator.Requests, r => r.Path == "/v1/audio/voices");

        await VoiceDiscovery.GetVoicesAsync(client, endpoint, cacheKey, refresh: true, TtsLog.None, CancellationToken.None);
        Assert.Equal(2, emulator.Requests.Count(r => r.Path == "/v1/audio/voices"));
    }

    [Fact]
    public async Task Voices_FallBackToTheCatalogueWhenTheServerHasNoEndpoint()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true, VoicesShape = VoicesEndpointShape.None });
        (SpeechClient client, TtsEndpoint endpoint) = LocalClient(emulator);
        DiscoveredList<TtsVoice> voices = await VoiceDiscovery.GetVoicesAsync(client, endpoint, "test-" + Guid.NewGuid().ToString("N"), false, TtsLog.None, CancellationToken.None);
        Assert.False(voices.FromServer);
        Assert.Equal(13, voices.Items.Count);
        Assert.Single(emulator.Requests, r => r.Path == "/v1/audio/voices" && r.StatusCode == 404);
    }

    [Fact]
    public async Task Models_AreDiscovered()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true });
        (SpeechClient client, TtsEndpoint endpoint) = LocalClient(emulator);
        DiscoveredList<TtsModel> models = await VoiceDiscovery.GetModelsAsync(client, endpoint, "test-" + Guid.NewGuid().ToString("N"), false, CancellationToken.None);
        Assert.True(models.FromServer);
        Assert.Contains(models.Items, m => m.Id == "tts-1");
    }

    [Fact]
    public async Task Proxy_CarriesTheRequestsAndItsCredentials()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true });
        // The proxy answers 407 until it gets its credentials: only then does a client send them at all.
        await using var proxy = new ForwardingProxy { RequiredCredential = "svc:proxy-pass" };
        var settings = new ProxySettings { Proxy = proxy.Address, Credential = new NetworkCredential("svc", "proxy-pass"), Environment = _ => null };
        TtsEndpoint endpoint = TtsEndpoint.Create(emulator.BaseUrl.ToString(), null, provider: ProviderKind.Local);
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(30), proxy: settings);
        using var audio = new MemoryStream();
        await client.SynthesizeAsync(new SpeechRequest("tts-1", "Through the proxy", "alloy", AudioFormat.Wav), audio, CancellationToken.None);

        Assert.Contains(proxy.RequestLines, line => line.StartsWith("POST " + emulator.BaseUrl.ToString().TrimEnd('/') + "/v1/audio/speech", StringComparison.Ordinal));
        Assert.True(proxy.Refusals >= 1, "the proxy never asked for credentials");
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:proxy-pass")), proxy.LastProxyAuthorization);
        RecordedRequest served = Assert.Single(emulator.Requests);
        Assert.Equal(audio.ToArray(), served.ResponseBody);
    }

    [Fact]
    public async Task Proxy_TakesItsCredentialsFromTheUserInfoOfItsUrl_AndNeverShowsThePassword()
    {
        const string Password = "Pr0xy-Secret-9f3b2c7d";
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true });
        await using var proxy = new ForwardingProxy { RequiredCredential = "svc:" + Password };
        var withUserInfo = new UriBuilder(proxy.Address) { UserName = "svc", Password = Password }.Uri;
        var log = new RecordingLog();
        var client = new SpeechClient(TtsEndpoint.Create(emulator.BaseUrl.ToString(), null, provider: ProviderKind.Local), new RetryPolicy(0), TimeSpan.FromSeconds(30), log, new ProxySettings { Proxy = withUserInfo, Environment = _ => null });

        await client.SynthesizeAsync(new SpeechRequest("tts-1", "Through the proxy", "alloy", AudioFormat.Wav), new MemoryStream(), CancellationToken.None);

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:" + Password)), proxy.LastProxyAuthorization);
        Assert.DoesNotContain(AllOf(log), line => line.Contains(Password, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("userinfo")]
    [InlineData("credential")]
    public async Task Proxy_PasswordAppearsInNoErrorAndNoLog_WhenTheProxyCannotBeReached(string how)
    {
        const string Password = "Pr0xy-Secret-9f3b2c7d";
        int closedPort = ClosedPort();
        Uri address = new($"http://127.0.0.1:{closedPort}");
        ProxySettings settings = how == "userinfo"
            ? new ProxySettings { Proxy = new UriBuilder(address) { UserName = "svc", Password = Password }.Uri, Environment = _ => null }
            : new ProxySettings { Proxy = address, Credential = new NetworkCredential("svc", Password), Environment = _ => null };
        var log = new RecordingLog();
        var client = new SpeechClient(TtsEndpoint.Create("https://api.example.com", SecretText.ToSecureString(Key)), new RetryPolicy(1, TimeSpan.Zero), TimeSpan.FromSeconds(10), log, settings);

        TtsException error = await Assert.ThrowsAsync<TtsException>(() => client.SynthesizeAsync(new SpeechRequest("tts-1", "x", "alloy", AudioFormat.Mp3), new MemoryStream(), CancellationToken.None));

        Assert.Equal(TtsErrorIds.ConnectionFailed, error.ErrorId);
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            Assert.DoesNotContain(Password, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, e.ToString(), StringComparison.Ordinal);
        }

        Assert.NotEmpty(AllOf(log));
        Assert.DoesNotContain(AllOf(log), line => line.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Proxy_ThatRefusesAnHttpsTunnelWith407_IsAnAuthenticationFailureThatBlamesTheProxy()
    {
        await using var proxy = new ForwardingProxy { RequiredCredential = "svc:right" };
        var settings = new ProxySettings { Proxy = proxy.Address, Environment = _ => null };
        var client = new SpeechClient(TtsEndpoint.Create("https://api.example.com", SecretText.ToSecureString(Key)), new RetryPolicy(2, TimeSpan.Zero), TimeSpan.FromSeconds(10), null, settings);

        TtsException error = await Assert.ThrowsAsync<TtsException>(() => client.SynthesizeAsync(new SpeechRequest("tts-1", "x", "alloy", AudioFormat.Mp3), new MemoryStream(), CancellationToken.None));

        Assert.Equal(TtsErrorIds.AuthenticationFailed, error.ErrorId);
        Assert.Equal(TtsErrorCategory.AuthenticationError, error.Category);
        Assert.StartsWith("The proxy asked for credentials (HTTP 407", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, proxy.Refusals);
    }

    [Fact]
    public async Task Proxy_PasswordAppearsInNoError_WhenAnHttpsTunnelIsRefused()
    {
        // .NET quotes the proxy's URL in the message of a refused CONNECT: it must hold no password.
        const string Password = "Pr0xy-Secret-9f3b2c7d";
        await using var proxy = new ForwardingProxy { RequiredCredential = "someone:else" };
        var settings = new ProxySettings { Proxy = new UriBuilder(proxy.Address) { UserName = "svc", Password = Password }.Uri, Environment = _ => null };
        var client = new SpeechClient(TtsEndpoint.Create("https://api.example.com", SecretText.ToSecureString(Key)), new RetryPolicy(0), TimeSpan.FromSeconds(10), null, settings);

        TtsException error = await Assert.ThrowsAsync<TtsException>(() => client.SynthesizeAsync(new SpeechRequest("tts-1", "x", "alloy", AudioFormat.Mp3), new MemoryStream(), CancellationToken.None));

        Assert.True(proxy.Refusals >= 1);
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            Assert.DoesNotContain(Password, e.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ExplicitProxy_AppliesToLoopbackToo()
    {
        // .NET Framework's WebProxy bypasses loopback whatever BypassProxyOnLocal says; -Proxy must not.
        using HttpClientHandler handler = HttpClientCache.CreateHandler(new ProxySettings { Proxy = new Uri("http://proxy.corp:3128"), Environment = _ => null });

        Assert.True(handler.UseProxy);
        Assert.IsNotType<WebProxy>(handler.Proxy);
        foreach (string destination in new[] { "http://127.0.0.1:8880/", "http://localhost:8880/", "http://[::1]:8880/", "https://api.openai.com/" })
        {
            Assert.False(handler.Proxy!.IsBypassed(new Uri(destination)), destination);
            Assert.Equal(new Uri("http://proxy.corp:3128"), handler.Proxy.GetProxy(new Uri(destination)));
        }
    }

    [Fact]
    public void ProxyUseDefaultCredentials_GivesTheProxyTheUsersOwnCredentials()
    {
        // Default credentials answer only Negotiate or NTLM, which a loopback test proxy cannot offer here; what can be
        // checked is that they reach the proxy the requests go through.
        using HttpClientHandler handler = HttpClientCache.CreateHandler(new ProxySettings { Proxy = new Uri("http://proxy.corp:3128"), UseDefaultCredentials = true, Environment = _ => null });

        Assert.Same(CredentialCache.DefaultCredentials, handler.Proxy!.Credentials);
    }

    [Fact]
    public void Handler_AllowsMoreConnectionsThanAnyThrottleLimit_AndFollowsNoRedirect()
    {
        using HttpClientHandler handler = HttpClientCache.CreateHandler(new ProxySettings { Environment = _ => null });

        // -ThrottleLimit is at most 16; .NET Framework would otherwise allow 2 at once.
        Assert.True(handler.MaxConnectionsPerServer >= 16, $"MaxConnectionsPerServer is {handler.MaxConnectionsPerServer}");
        Assert.Equal(HttpClientCache.MaximumConnectionsPerServer, handler.MaxConnectionsPerServer);
        Assert.False(handler.AllowAutoRedirect);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("GET")]
    public void Requests_NeverAskFor100Continue(string method)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create("https://api.example.com", SecretText.ToSecureString(Key));
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(5), proxy: new ProxySettings { Environment = _ => null });

        using HttpRequestMessage message = client.BuildRequest(new HttpMethod(method), endpoint.SpeechUri, method == "POST" ? new byte[] { 123, 125 } : null);

        Assert.False(message.Headers.ExpectContinue);
    }

    [Fact]
    public async Task EnvironmentProxy_IsHonouredAndNoProxyBypassesIt()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { AllowAnonymous = true });
        // A host name that is not loopback, which the proxy (and only the proxy) knows how to reach.
        await using var proxy = new ForwardingProxy { Upstream = emulator.BaseUrl };
        TtsEndpoint endpoint = TtsEndpoint.Create($"http://tts.invalid:{emulator.BaseUrl.Port}", null, provider: ProviderKind.Local);

        var viaProxy = new Dictionary<string, string> { ["HTTP_PROXY"] = proxy.Address.ToString(), ["NO_PROXY"] = "example.com" };
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(30), proxy: new ProxySettings { Environment = n => viaProxy.GetValueOrDefault(n) });
        await client.SynthesizeAsync(new SpeechRequest("tts-1", "Via environment", "alloy", AudioFormat.Wav), new MemoryStream(), CancellationToken.None);
        Assert.Single(proxy.RequestLines);
        Assert.Single(emulator.Requests);

        var bypassed = new Dictionary<string, string> { ["http_proxy"] = proxy.Address.ToString(), ["no_proxy"] = "localhost,tts.invalid" };
        var direct = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(30), proxy: new ProxySettings { Environment = n => bypassed.GetValueOrDefault(n) });
        TtsException error = await Assert.ThrowsAsync<TtsException>(() => direct.SynthesizeAsync(new SpeechRequest("tts-1", "Around the proxy", "alloy", AudioFormat.Wav), new MemoryStream(), CancellationToken.None));
        Assert.Equal(TtsErrorIds.ConnectionFailed, error.ErrorId); // tts.invalid has no address: the request went direct
        Assert.Single(proxy.RequestLines);
    }

    [Fact]
    public async Task EnvironmentProxy_NeverCarriesAKeyMeantForALoopbackServer()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { RequiredApiKey = Key });
        await using var proxy = new ForwardingProxy();
        var environment = new Dictionary<string, string> { ["HTTP_PROXY"] = proxy.Address.ToString(), ["HTTPS_PROXY"] = proxy.Address.ToString() };
        TtsEndpoint endpoint = TtsEndpoint.Create(emulator.BaseUrl.ToString(), SecretText.ToSecureString(Key));
        var client = new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(30), proxy: new ProxySettings { Environment = n => environment.GetValueOrDefault(n) });

        await client.SynthesizeAsync(new SpeechRequest("tts-1", "Straight to this machine", "alloy", AudioFormat.Wav), new MemoryStream(), CancellationToken.None);

        Assert.Empty(proxy.RequestLines);
        Assert.Equal("Bearer " + Key, Assert.Single(emulator.Requests).Headers["Authorization"]);
    }

    [Fact]
    public async Task ExplicitProxy_WithAKeyOverPlainHttp_IsRefused_UnlessAllowed()
    {
        await using EmulatorServer emulator = await EmulatorServer.StartAsync(new EmulatorOptions { RequiredApiKey = Key });
        await using var proxy = new ForwardingProxy();
        var settings = new ProxySettings { Proxy = proxy.Address, Environment = _ => null };
        var refused = new SpeechClient(TtsEndpoint.Create(emulator.BaseUrl.ToString(), SecretText.ToSecureString(Key)), new RetryPolicy(0), TimeSpan.FromSeconds(30), proxy: settings);

        TtsException error = await Assert.ThrowsAsync<TtsException>(() => refused.SynthesizeAsync(new SpeechRequest("tts-1", "x", "alloy", AudioFormat.Wav), new MemoryStream(), CancellationToken.None));

        Assert.Equal(TtsErrorIds.InsecureTransport, error.ErrorId);
        Assert.Equal(TtsErrorCategory.SecurityError, error.Category);
        Assert.Empty(proxy.RequestLines);
        Assert.Empty(emulator.Requests);

        var allowed = new SpeechClient(TtsEndpoint.Create(emulator.BaseUrl.ToString(), SecretText.ToSecureString(Key), allowUnencryptedAuthentication: true), new RetryPolicy(0), TimeSpan.FromSeconds(30), proxy: settings);
        await allowed.SynthesizeAsync(new SpeechRequest("tts-1", "x", "alloy", AudioFormat.Wav), new MemoryStream(), CancellationToken.None);
        Assert.Single(proxy.RequestLines);
    }

    [Theory]
    [InlineData("*", "https://api.openai.com", true)]
    [InlineData("openai.com", "https://api.openai.com", true)]
    [InlineData(".openai.com", "https://api.openai.com", true)]
    [InlineData("openai.com", "https://notopenai.com", false)]
    [InlineData("localhost,127.0.0.1", "http://127.0.0.1:8880", true)]
    [InlineData("api.openai.com:8443", "https://api.openai.com", false)]
    [InlineData("api.openai.com:443", "https://api.openai.com", true)]
    [InlineData("", "https://api.openai.com", false)]
    public void EnvironmentProxy_ReadsNoProxyLikeCurl(string noProxy, string destination, bool bypassed)
    {
        var environment = new Dictionary<string, string> { ["HTTPS_PROXY"] = "http://proxy.corp:3128", ["HTTP_PROXY"] = "http://proxy.corp:3128", ["NO_PROXY"] = noProxy };
        EnvironmentProxy proxy = EnvironmentProxy.FromEnvironment(n => environment.GetValueOrDefault(n))!;
        Assert.Equal(bypassed, proxy.IsBypassed(new Uri(destination)));
        Assert.Equal(bypassed ? new Uri(destination) : new Uri("http://proxy.corp:3128"), proxy.GetProxy(new Uri(destination)));
    }

    [Fact]
    public void EnvironmentProxy_IsAbsentWithoutVariablesAndTakesUserInfo()
    {
        Assert.Null(EnvironmentProxy.FromEnvironment(_ => null));
        EnvironmentProxy proxy = EnvironmentProxy.FromEnvironment(n => n == "https_proxy" ? "http://svc:p%40ss@proxy.corp:3128" : null)!;
        NetworkCredential credential = proxy.Credentials!.GetCredential(new Uri("http://proxy.corp:3128"), "Basic")!;
        Assert.Equal("svc", credential.UserName);
        Assert.Equal("p@ss", credential.Password);
    }

    private static string[] AllOf(RecordingLog log) => log.VerboseMessages.Concat(log.Debugs).Concat(log.Warnings).ToArray();

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static (SpeechClient Client, TtsEndpoint Endpoint) LocalClient(EmulatorServer emulator)
    {
        TtsEndpoint endpoint = TtsEndpoint.Create(emulator.BaseUrl.ToString(), null, provider: ProviderKind.Local);
        return (new SpeechClient(endpoint, new RetryPolicy(0), TimeSpan.FromSeconds(30)), endpoint);
    }
}

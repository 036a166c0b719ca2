using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using AitreTts.Core;
using AitreTts.Core.Configuration;
using AitreTts.Core.Errors;
using AitreTts.Core.Http;
using AitreTts.Core.Security;
using AitreTts.Core.Synthesis;
using TtsEmulator;

namespace AitreTts.Tests.Integration;

/// <summary>
/// -SkipCertificateCheck against a real https server with a self-signed certificate: refused without it, with an
/// error that says why; accepted with it, whether the switch comes from a parameter or a stored profile.
/// </summary>
public sealed class CertificateCheckTests
{
    private const string Text = "A gateway with a certificate of its own.";

    [Fact]
    public async Task SelfSignedServer_IsRefusedWithConnectionFailed_ThatNamesTheCertificate()
    {
        await using IntegrationHarness harness = await StartHttpsAsync();
        SpeechClient client = ClientFor(harness, new TtsSettings());

        TtsException error = await Assert.ThrowsAsync<TtsException>(
            () => harness.SynthesizeAsync(new DocumentSynthesizer(client), Text, new SpeechOptions(), harness.UserTarget("refused.mp3")));

        Assert.Equal(TtsErrorIds.ConnectionFailed, error.ErrorId);
        Assert.Contains("certificate", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(harness.Server.Requests); // the key never left: the TLS handshake failed first
        harness.AssertEmpty();
    }

    [Fact]
    public async Task SelfSignedServer_IsAccepted_WithSkipCertificateCheck_FromTheSettings()
    {
        await using IntegrationHarness harness = await StartHttpsAsync();
        var settings = new TtsSettings();
        settings.Set<bool?>(Setting.SkipCertificateCheck, true);
        SpeechClient client = ClientFor(harness, settings);

        DocumentResult result = await harness.SynthesizeAsync(new DocumentSynthesizer(client), Text, new SpeechOptions(), harness.UserTarget("accepted.mp3"));

        Assert.True(new System.IO.FileInfo(result.Path).Length > 0);
        RecordedRequest request = Assert.Single(harness.SpeechRequests());
        Assert.Equal("Bearer " + IntegrationHarness.Key, request.Headers["Authorization"]);
    }

    private static async Task<IntegrationHarness> StartHttpsAsync() =>
        await IntegrationHarness.StartAsync(new EmulatorOptions { RequiredApiKey = IntegrationHarness.Key, HttpsCertificate = SelfSigned() });

    // The settings as a stored profile would give them, through the factory every cmdlet uses.
    private static SpeechClient ClientFor(IntegrationHarness harness, TtsSettings file)
    {
        file.Set(Setting.BaseUrl, harness.Server.BaseUrl.ToString());
        file.Set(Setting.ApiKey, SecretText.ToSecureString(IntegrationHarness.Key));
        file.Set<int?>(Setting.MaximumRetryCount, 0);
        EffectiveConfiguration configuration = ConfigurationResolver.Resolve(new TtsSettings(), new TtsSettings(), _ => null, file, "/cfg/config.json");
        return SpeechClientFactory.Create(configuration, TtsLog.None);
    }

    private static X509Certificate2 SelfSigned()
    {
        using RSA rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel on Windows needs a key it can use from the store's point of view: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}

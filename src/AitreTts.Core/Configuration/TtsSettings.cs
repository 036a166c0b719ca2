using System.Linq;
using System.Security;

namespace AitreTts.Core.Configuration;

/// <summary>
/// A partial set of settings from one place (a call's parameters, the session, the environment, the file).
/// A null member means "not set here": the next place in the precedence order decides.
/// </summary>
public sealed class TtsSettings
{
    /// <summary>The server root, such as https://api.openai.com.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The API key.</summary>
    public SecureString? ApiKey { get; set; }

    /// <summary>The default model.</summary>
    public string? Model { get; set; }

    /// <summary>The default voice.</summary>
    public string? Voice { get; set; }

    /// <summary>The default audio format.</summary>
    public AudioFormat? Format { get; set; }

    /// <summary>Where generated file names are written.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>Seconds a request may wait for its response headers, and then for each piece of the body.</summary>
    public int? TimeoutSec { get; set; }

    /// <summary>Retries after the first attempt.</summary>
    public int? MaximumRetryCount { get; set; }

    /// <summary>A fixed wait between retries, in seconds; null for exponential backoff.</summary>
    public double? RetryIntervalSec { get; set; }

    /// <summary>A copy whose members are the same references.</summary>
    public TtsSettings Clone() => (TtsSettings)MemberwiseClone();

    /// <summary>Copies every member that <paramref name="changes"/> sets over this one.</summary>
    public void Apply(TtsSettings changes)
    {
        BaseUrl = changes.BaseUrl ?? BaseUrl;
        ApiKey = changes.ApiKey ?? ApiKey;
        Model = changes.Model ?? Model;
        Voice = changes.Voice ?? Voice;
        Format = changes.Format ?? Format;
        OutputDirectory = changes.OutputDirectory ?? OutputDirectory;
        TimeoutSec = changes.TimeoutSec ?? TimeoutSec;
        MaximumRetryCount = changes.MaximumRetryCount ?? MaximumRetryCount;
        RetryIntervalSec = changes.RetryIntervalSec ?? RetryIntervalSec;
    }

    /// <summary>Names the members that are set, never their values.</summary>
    public override string ToString() =>
        "TtsSettings(" + string.Join(", ", new[]
        {
            BaseUrl is null ? null : "BaseUrl",
            ApiKey is null ? null : "ApiKey",
            Model is null ? null : "Model",
            Voice is null ? null : "Voice",
            Format is null ? null : "Format",
            OutputDirectory is null ? null : "OutputDirectory",
            TimeoutSec is null ? null : "TimeoutSec",
            MaximumRetryCount is null ? null : "MaximumRetryCount",
            RetryIntervalSec is null ? null : "RetryIntervalSec",
        }.Where(name => name is not null)) + ")";
}

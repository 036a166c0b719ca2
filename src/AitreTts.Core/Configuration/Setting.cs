using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Text.Json;
using System.Text.Json.Nodes;
using AitreTts.Core.Errors;
using AitreTts.Core.Providers;
using AitreTts.Core.Security;

namespace AitreTts.Core.Configuration;

/// <summary>
/// One setting, described once: its name (which is also its Set-TtsConfiguration parameter and its
/// Get-TtsConfiguration property), its key in the file, its environment variable, whether it is a secret, and its
/// valid values. The list <see cref="All"/> drives the file mapping, the resolver, validation and the display, so a
/// new storable setting is one entry here.
/// </summary>
internal abstract class Setting
{
    private static readonly List<Setting> Registry = new();

    private protected Setting(string name, string? environmentVariable, bool isSecret, string? parameter, bool shown)
    {
        Name = name;
        FileKey = char.ToLowerInvariant(name[0]) + name.Substring(1);
        EnvironmentVariable = environmentVariable;
        IsSecret = isSecret;
        Parameter = parameter ?? name;
        Shown = shown;
        Registry.Add(this);
    }

    public string Name { get; }

    public string FileKey { get; }

    public string? EnvironmentVariable { get; }

    public bool IsSecret { get; }

    /// <summary>The parameter that sets it: the two halves of a proxy credential share -ProxyCredential.</summary>
    public string Parameter { get; }

    /// <summary>False for a value Get-TtsConfiguration must not show even masked (the proxy password).</summary>
    public bool Shown { get; }

    /// <summary>The value used when no layer sets one; null when none, or when the provider decides.</summary>
    public abstract object? DefaultValue { get; }

    /// <summary>"a whole number from 1 to 16": what a valid value is, for messages.</summary>
    public abstract string Expected { get; }

    /// <summary>Reads an environment variable's or a parameter's text; throws <see cref="FormatException"/> when it is no valid value.</summary>
    public abstract object Parse(string text);

    /// <summary>A value bound by a parameter, converted and checked; throws <see cref="FormatException"/> when invalid.</summary>
    public object Accept(object value)
    {
        object converted = value is string text && !ValueIsText ? Parse(text) : Convert(value);
        return Check(converted) ? converted : throw new FormatException(Expected);
    }

    /// <summary>Reads the file's JSON; throws <see cref="FormatException"/> when it is no valid value.</summary>
    public abstract object Read(JsonNode node, SecretProtector protector);

    public abstract JsonNode Write(object value, SecretProtector protector);

    /// <summary>True when the value is in range.</summary>
    public abstract bool Check(object value);

    /// <summary>What Get-TtsConfiguration shows: secrets masked.</summary>
    public abstract object? Display(object? value);

    private protected abstract bool ValueIsText { get; }

    private protected abstract object Convert(object value);

    public override string ToString() => Name;

    // The list. Its order is the order of Get-TtsConfiguration's properties.
    public static readonly Setting<ProviderKind?> Provider = Choice<ProviderKind>("Provider", "AITRE_PROVIDER");
    // AITRE_BASE_URL or a file from an older version may still hold a user:password@ or a query.
    public static readonly Setting<string?> BaseUrl = Text("BaseUrl", "AITRE_BASE_URL", display: Security.SecretRedactor.ShownAddress);
    public static readonly Setting<SecureString?> ApiKey = Secret("ApiKey", "AITRE_API_KEY");
    public static readonly Setting<string?> ApiKeySecretName = Text("ApiKeySecretName");
    public static readonly Setting<string?> Vault = Text("Vault");
    public static readonly Setting<string?> Deployment = Text("Deployment");
    public static readonly Setting<string?> ApiVersion = Text("ApiVersion", defaultValue: "2024-10-21");
    public static readonly Setting<string?> Model = Text("Model");
    public static readonly Setting<string?> Voice = Text("Voice", defaultValue: "alloy");
    public static readonly Setting<AudioFormat?> Format = new("Format", null, false, null, true, null, "one of " + AudioFormats.Names, ParseFormat, _ => true, v => v!.Value.ToApiName());
    public static readonly Setting<string?> OutputDirectory = Text("OutputDirectory");
    public static readonly Setting<int?> TimeoutSec = Integer("TimeoutSec", 1, 86400, defaultValue: 100);
    public static readonly Setting<int?> MaximumRetryCount = Integer("MaximumRetryCount", 0, 10, defaultValue: 2);
    public static readonly Setting<double?> RetryIntervalSec = Number("RetryIntervalSec", 0, 60);
    // The longest one request waits on the account's rate limit in all (held for its turn, or after a 429 that asks to
    // wait); such waits do not use up MaximumRetryCount. 0 turns pacing off.
    public static readonly Setting<int?> MaximumRateLimitWaitSec = Integer("MaximumRateLimitWaitSec", 0, 86400, "AITRE_MAXIMUM_RATE_LIMIT_WAIT_SEC", defaultValue: 900);
    // This machine's share of an account's limit, spaced evenly; unset: only the server's limit paces.
    public static readonly Setting<int?> RequestsPerMinute = Integer("RequestsPerMinute", 1, 1000000, "AITRE_REQUESTS_PER_MINUTE");
    public static readonly Setting<int?> ThrottleLimit = Integer("ThrottleLimit", 1, 16, "AITRE_THROTTLE_LIMIT", defaultValue: 4);
    public static readonly Setting<int?> ParagraphPauseMs = Integer("ParagraphPauseMs", 0, 10000, defaultValue: 0);
    // A tab-separated UTF-8 file of words and how to say them (see PronunciationLexicon), stored as a full path.
    public static readonly Setting<string?> PronunciationFile = Text("PronunciationFile");
    // In MiB: 0 turns the chunk cache off; the most is 1 TiB.
    public static readonly Setting<int?> CacheSizeLimitMB = Integer("CacheSizeLimitMB", 0, 1048576, "AITRE_CACHE_SIZE_LIMIT_MB", defaultValue: 1024);
    // US dollars per million characters: a gateway's own price, for the estimates of -WhatIf and -Verbose.
    public static readonly Setting<double?> PricePerMillionCharacters = Number("PricePerMillionCharacters", 0, 100000);
    public static readonly Setting<int?> SampleRate = Integer("SampleRate", 8000, 192000, "AITRE_SAMPLE_RATE", defaultValue: 24000);
    public static readonly Setting<string?> Proxy = Text("Proxy", display: Security.SecretRedactor.WithoutPassword);
    public static readonly Setting<string?> ProxyUserName = Text("ProxyUserName", parameter: "ProxyCredential");
    public static readonly Setting<SecureString?> ProxyPassword = Secret("ProxyPassword", parameter: "ProxyCredential", shown: false);
    public static readonly Setting<bool?> ProxyUseDefaultCredentials = Switch("ProxyUseDefaultCredentials");
    public static readonly Setting<bool?> AllowUnencryptedAuthentication = Switch("AllowUnencryptedAuthentication");
    public static readonly Setting<bool?> SkipCertificateCheck = Switch("SkipCertificateCheck");
    public static readonly Setting<RequestHeaders?> Headers = new("Headers", null, false, null, true, null, "name = value pairs of text", _ => throw new FormatException("name = value pairs of text"), _ => true, h => h!.Display());
    // Fields and query parameters the module does not model, for a server's own options (see ExtraFields.cs).
    public static readonly Setting<ExtraBodyFields?> ExtraBody = new("ExtraBody", null, false, null, true, null, "a hashtable of JSON fields", _ => throw new FormatException("a hashtable of JSON fields"), _ => true, b => b!.ToString());
    public static readonly Setting<ExtraQueryParameters?> ExtraQuery = new("ExtraQuery", null, false, null, true, null, "a hashtable of query parameters", _ => throw new FormatException("a hashtable of query parameters"), _ => true, q => q!.ToString());
    public static readonly Setting<string?> UserAgent = Text("UserAgent");

    public static IReadOnlyList<Setting> All => Registry;

    public static Setting? Find(string name) => Registry.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    private static AudioFormat? ParseFormat(string text) => AudioFormats.TryParse(text, out AudioFormat format) ? format : throw AudioFormats.Unknown(text);

    private static Setting<string?> Text(string name, string? environmentVariable = null, string? defaultValue = null, string? parameter = null, Func<string, string>? display = null) =>
        new(name, environmentVariable, false, parameter, true, defaultValue, "text", text => text.Trim(), _ => true, v => display is null ? v : display(v!));

    private static Setting<SecureString?> Secret(string name, string? environmentVariable = null, string? parameter = null, bool shown = true) =>
        new(name, environmentVariable, true, parameter, shown, null, "text", text => SecretText.ToSecureString(text.Trim()), v => v!.Length > 0, v => SecretText.Mask(v));

    private static Setting<bool?> Switch(string name) =>
        new(name, null, false, null, true, false, "true or false", text => bool.Parse(text.Trim()), _ => true, v => v);

    private static Setting<int?> Integer(string name, int minimum, int maximum, string? environmentVariable = null, int? defaultValue = null) =>
        new(name, environmentVariable, false, null, true, defaultValue, string.Format(CultureInfo.InvariantCulture, "a whole number from {0} to {1}", minimum, maximum),
            text => int.Parse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture), v => v >= minimum && v <= maximum, v => v);

    private static Setting<double?> Number(string name, double minimum, double maximum) =>
        new(name, null, false, null, true, null, string.Format(CultureInfo.InvariantCulture, "a number from {0} to {1}", minimum, maximum),
            text => double.Parse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture), v => !double.IsNaN(v!.Value) && v >= minimum && v <= maximum, v => v);

    private static Setting<TEnum?> Choice<TEnum>(string name, string? environmentVariable)
        where TEnum : struct, Enum =>
        new(name, environmentVariable, false, null, true, null, "one of " + string.Join(", ", Enum.GetNames(typeof(TEnum))),
            text => Enum.TryParse(text.Trim(), ignoreCase: true, out TEnum value) && Enum.IsDefined(typeof(TEnum), value) && !char.IsDigit(text.Trim()[0])
                ? value
                : throw new FormatException(),
            _ => true,
            v => v!.Value.ToString());
}

/// <summary>A setting whose values are of type <typeparamref name="T"/> (a nullable type: null means "not set").</summary>
internal sealed class Setting<T> : Setting
{
    private readonly object? _default;
    private readonly Func<string, T> _parse;
    private readonly Func<T, bool> _check;
    private readonly Func<T, object?> _display;

    public Setting(string name, string? environmentVariable, bool isSecret, string? parameter, bool shown, object? defaultValue, string expected, Func<string, T> parse, Func<T, bool> check, Func<T, object?> display)
        : base(name, environmentVariable, isSecret, parameter, shown)
    {
        _default = defaultValue;
        Expected = expected;
        _parse = parse;
        _check = check;
        _display = display;
    }

    public override object? DefaultValue => _default;

    public override string Expected { get; }

    private protected override bool ValueIsText => typeof(T) == typeof(string);

    public override object Parse(string text)
    {
        try
        {
            return _parse(text) ?? throw new FormatException(Expected);
        }
        catch (Exception ex) when (ex is ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            throw new FormatException(Expected, ex);
        }
    }

    public override bool Check(object value) => value is T typed && _check(typed);

    public override object? Display(object? value) => value is T typed ? _display(typed) : null;

    private protected override object Convert(object value)
    {
        if (value is T)
        {
            return value;
        }

        Type target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        try
        {
            return System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
        {
            throw new FormatException(Expected, ex);
        }
    }

    public override object Read(JsonNode node, SecretProtector protector)
    {
        try
        {
            if (typeof(T) == typeof(SecureString))
            {
                return SecretText.ToSecureString(protector.Unprotect(node.GetValue<string>()));
            }

            if (typeof(T) == typeof(RequestHeaders))
            {
                return RequestHeaders.Read(node as JsonObject ?? throw new FormatException(Expected), protector);
            }

            if (typeof(T) == typeof(ExtraBodyFields))
            {
                return ExtraBodyFields.Read(node);
            }

            if (typeof(T) == typeof(ExtraQueryParameters))
            {
                return ExtraQueryParameters.Read(node);
            }

            if (typeof(T) == typeof(string))
            {
                return node.GetValue<string>();
            }

            if (node is JsonValue value && value.TryGetValue(out string? text))
            {
                // Enumerations and formats are stored by name.
                return Parse(text!);
            }

            Type target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            object? number = target == typeof(int) ? ReadInteger(node) : node.Deserialize(target);
            return number ?? throw new FormatException(Expected);
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or ArgumentException)
        {
            throw new FormatException(Expected, ex);
        }
    }

    // 2.5 is a number, but no count: say that, rather than fail the whole file as "not valid JSON".
    private object ReadInteger(JsonNode node)
    {
        double number = node.GetValue<double>();
        return number == Math.Floor(number) && number >= int.MinValue && number <= int.MaxValue ? (int)number : throw new FormatException(Expected);
    }

    public override JsonNode Write(object value, SecretProtector protector) => value switch
    {
        SecureString secret => JsonValue.Create(protector.Protect(SecretText.Reveal(secret)))!,
        RequestHeaders headers => headers.Write(protector),
        ExtraBodyFields body => body.Write(),
        ExtraQueryParameters query => query.Write(),
        AudioFormat format => JsonValue.Create(format.ToApiName())!,
        Enum kind => JsonValue.Create(kind.ToString())!,
        _ => JsonSerializer.SerializeToNode(value)!,
    };
}

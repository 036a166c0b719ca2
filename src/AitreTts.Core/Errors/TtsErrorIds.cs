namespace AitreTts.Core.Errors;

/// <summary>
/// The stable ErrorIds of the module. Scripts match on them (<c>FullyQualifiedErrorId</c>), so a value
/// never changes once released; the README's table lists them all.
/// </summary>
public static class TtsErrorIds
{
#pragma warning disable CS1591 // The README's ErrorId table documents each one.
    // Input and options.
    public const string InputEmpty = "TtsInputEmpty";
    public const string InputTooLong = "TtsInputTooLong";
    public const string InputNotText = "TtsInputNotText";
    public const string InvalidSpeed = "TtsInvalidSpeed";
    public const string InvalidPronunciation = "TtsInvalidPronunciation";
    public const string InvalidSsml = "TtsInvalidSsml";
    public const string InvalidFormat = "TtsInvalidFormat";
    public const string InvalidHeader = "TtsInvalidHeader";
    public const string InvalidExtraField = "TtsInvalidExtraField";
    public const string FormatConflict = "TtsFormatConflict";
    public const string InvalidBaseUrl = "TtsInvalidBaseUrl";
    public const string InvalidProxy = "TtsInvalidProxy";
    public const string ApiKeyMissing = "TtsApiKeyMissing";
    public const string InsecureTransport = "TtsInsecureTransport";
    public const string ConfigurationInvalid = "TtsConfigurationInvalid";
    public const string ProfileNotFound = "TtsProfileNotFound";
    public const string ConfigurationNotWritable = "TtsConfigurationNotWritable";
    public const string ConfigurationLocked = "TtsConfigurationLocked";
    public const string SecretManagementMissing = "TtsSecretManagementMissing";
    public const string SecretNotFound = "TtsSecretNotFound";

    // Server answers.
    public const string BadRequest = "TtsBadRequest";
    public const string AuthenticationFailed = "TtsAuthenticationFailed";
    public const string PermissionDenied = "TtsPermissionDenied";
    public const string EndpointNotFound = "TtsEndpointNotFound";
    public const string RateLimited = "TtsRateLimited";
    public const string QuotaExceeded = "TtsQuotaExceeded";
    public const string RetryAfterTooLong = "TtsRetryAfterTooLong";
    public const string ServerError = "TtsServerError";
    public const string HttpError = "TtsHttpError";
    public const string UnexpectedResponse = "TtsUnexpectedResponse";
    public const string EmptyResponse = "TtsEmptyResponse";
    public const string ResponseTruncated = "TtsResponseTruncated";
    public const string ResponseTooLarge = "TtsResponseTooLarge";
    public const string RedirectRefused = "TtsRedirectRefused";

    // Transport.
    public const string ConnectionFailed = "TtsConnectionFailed";
    public const string Timeout = "TtsTimeout";

    // Files.
    public const string OutputExists = "TtsOutputExists";
    public const string OutputDirectoryNotFound = "TtsOutputDirectoryNotFound";
    public const string OutputNotWritable = "TtsOutputNotWritable";
    public const string InvalidOutputPath = "TtsInvalidOutputPath";
    public const string DiskFull = "TtsDiskFull";
    public const string WriteFailed = "TtsWriteFailed";

    // Audio joining.
    public const string AudioJoinFailed = "TtsAudioJoinFailed";

    // Voices.
    public const string VoiceNotFound = "TtsVoiceNotFound";

    // Models.
    public const string ModelNotListed = "TtsModelNotFound";
    public const string ModelRetired = "TtsModelRetired";

    // A defect: an exception of a type the module did not expect, reported with an id rather than its type name.
    public const string UnexpectedError = "TtsUnexpectedError";
#pragma warning restore CS1591
}

namespace AitreTts.Core.Errors;

/// <summary>
/// The error categories the core reports. Each name is also a member of PowerShell's
/// <c>System.Management.Automation.ErrorCategory</c>, so the cmdlets map them by name;
/// a test checks that every name exists there.
/// </summary>
public enum TtsErrorCategory
{
    /// <summary>Nothing more specific applies.</summary>
    NotSpecified,
    /// <summary>A parameter or input value is wrong.</summary>
    InvalidArgument,
    /// <summary>The server sent data that is not what was asked for.</summary>
    InvalidData,
    /// <summary>The operation cannot run in the current state.</summary>
    InvalidOperation,
    /// <summary>The server answered with something the protocol does not allow.</summary>
    InvalidResult,
    /// <summary>The key was missing or refused.</summary>
    AuthenticationError,
    /// <summary>The key is valid but not allowed to do this, or a path is not writable.</summary>
    PermissionDenied,
    /// <summary>The URL, model or deployment was not found.</summary>
    ObjectNotFound,
    /// <summary>The server is overloaded or failing.</summary>
    ResourceUnavailable,
    /// <summary>The connection could not be made or was lost.</summary>
    ConnectionError,
    /// <summary>The request took longer than allowed.</summary>
    OperationTimeout,
    /// <summary>The user stopped the operation.</summary>
    OperationStopped,
    /// <summary>A rate limit was hit.</summary>
    LimitsExceeded,
    /// <summary>The account has no quota left.</summary>
    QuotaExceeded,
    /// <summary>The target file already exists.</summary>
    ResourceExists,
    /// <summary>Writing the file failed.</summary>
    WriteError,
    /// <summary>Reading an input file failed.</summary>
    ReadError,
    /// <summary>Sending the key would expose it.</summary>
    SecurityError,
    /// <summary>The server broke the HTTP or API protocol.</summary>
    ProtocolError,
}

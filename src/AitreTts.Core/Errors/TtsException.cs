using System;

namespace AitreTts.Core.Errors;

/// <summary>
/// The one exception the core throws for anything a user can act on. It carries what the cmdlets need
/// to build an ErrorRecord: a stable <see cref="ErrorId"/>, a <see cref="Category"/>, and the server's
/// own words with the request id. It never carries the API key.
/// </summary>
[Serializable]
public sealed class TtsException : Exception
{
    /// <summary>Creates an error with a stable id, a category and a message that says how to fix it.</summary>
    public TtsException(string errorId, TtsErrorCategory category, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Category = category;
    }

    /// <summary>A stable PascalCase id from <see cref="TtsErrorIds"/>.</summary>
    public string ErrorId { get; }

    /// <summary>The category, named as PowerShell's ErrorCategory names it.</summary>
    public TtsErrorCategory Category { get; }

    /// <summary>The HTTP status, when the error came from a response.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The server's <c>x-request-id</c>, to quote to its support.</summary>
    public string? RequestId { get; init; }

    /// <summary>The server's own message, as it sent it.</summary>
    public string? ServerMessage { get; init; }

    /// <summary>The server's error code (such as <c>insufficient_quota</c>) or type.</summary>
    public string? ServerCode { get; init; }

    /// <summary>Advice on how to fix the cause, such as the Azure URL form.</summary>
    public string? Hint { get; init; }

    /// <summary>How many attempts were made before giving up, when the request was retried.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>
    /// What the error is about: the input text, a file, a profile name. The ErrorRecord shows it as its TargetObject,
    /// so a script can tell which item of a batch failed.
    /// </summary>
    public object? TargetObject { get; init; }

    /// <summary>A copy with the given members replaced; the id, category, status and inner exception stay.</summary>
    public TtsException With(string? message = null, int? attempts = null, string? requestId = null, string? serverMessage = null, string? serverCode = null, string? hint = null, object? targetObject = null) =>
        new(ErrorId, Category, message ?? Message, InnerException)
        {
            StatusCode = StatusCode,
            RequestId = requestId ?? RequestId,
            ServerMessage = serverMessage ?? ServerMessage,
            ServerCode = serverCode ?? ServerCode,
            Hint = hint ?? Hint,
            Attempts = attempts ?? Attempts,
            TargetObject = targetObject ?? TargetObject,
        };

    /// <summary>This error about <paramref name="target"/>, unless it already names what it is about.</summary>
    public TtsException About(object? target) => TargetObject is not null || target is null ? this : With(targetObject: target);
}

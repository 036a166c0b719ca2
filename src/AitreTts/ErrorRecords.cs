using System;
using System.Management.Automation;
using AitreTts.Core.Errors;

namespace AitreTts;

/// <summary>The one place where a core error becomes a PowerShell ErrorRecord.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(TtsException error, object? target)
    {
        var category = (ErrorCategory)Enum.Parse(typeof(ErrorCategory), error.Category.ToString());
        var record = new ErrorRecord(error, error.ErrorId, category, target)
        {
            ErrorDetails = new ErrorDetails(error.Message),
        };
        // The core usually puts the hint in the message already; repeating it as a Recommendation is noise.
        if (error.Hint is not null && error.Message.IndexOf(error.Hint, StringComparison.Ordinal) < 0)
        {
            record.ErrorDetails.RecommendedAction = error.Hint;
        }

        return record;
    }

    public static ErrorRecord From(string errorId, TtsErrorCategory category, string message, object? target) =>
        From(new TtsException(errorId, category, message), target);
}

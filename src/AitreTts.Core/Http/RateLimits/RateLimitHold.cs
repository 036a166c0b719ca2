using System;

namespace AitreTts.Core.Http;

/// <summary>A request held back by the rate limit: reported when the hold starts, and again with <see cref="Ended"/> when it is over.</summary>
/// <param name="Host">The server whose limit holds it.</param>
/// <param name="Wait">How long it is held.</param>
/// <param name="Until">When it will be sent, on the local clock.</param>
/// <param name="Reason">Why, in words: the budget is used up, a 429 asked to wait, the local cap.</param>
/// <param name="Ended">False when the hold starts, true when it is over (sent, cancelled or given up).</param>
internal sealed record RateLimitHold(string Host, TimeSpan Wait, DateTimeOffset Until, string Reason, bool Ended);

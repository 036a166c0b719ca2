using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace TtsEmulator;

/// <summary>
/// Held responses (<see cref="FaultRule.HoldUntilReleased"/> and the other holds): what tests wait on instead of
/// sleeping. Control API: <c>GET /_emulator/holds[?held=N&amp;timeoutSeconds=T]</c> reports (and with <c>held</c>,
/// first waits until N requests are held), <c>POST /_emulator/holds/release</c> with an optional <c>{"count":N}</c>.
/// </summary>
public sealed partial class EmulatorServer
{
    private readonly HoldBoard holds = new();

    /// <summary>Requests held right now.</summary>
    public int HeldCount => holds.HeldCount;

    /// <summary>One message per hold that reached its safety timeout: a test whose premise never came true.</summary>
    public IReadOnlyList<string> HoldTimeouts => holds.Timeouts;

    /// <summary>Releases up to <paramref name="count"/> requests held until released (all when null), oldest first; returns how many.</summary>
    public int ReleaseHeld(int? count = null) => holds.Release(count);

    /// <summary>Waits until at least <paramref name="count"/> requests are held at once; a <see cref="TimeoutException"/> that says what was seen otherwise.</summary>
    public async Task WaitForHeldAsync(int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(60);
        if (!await holds.WaitForHeldAsync(count, limit, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException($"{count} request(s) were never held at once within {limit.TotalSeconds:0.#} s: {holds.DescribeState()}.{TimeoutsSuffix()}");
        }
    }

    /// <summary>Throws when a hold reached its safety timeout, quoting what it waited for.</summary>
    public void ThrowIfAHoldTimedOut()
    {
        IReadOnlyList<string> timedOut = holds.Timeouts;
        if (timedOut.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, timedOut));
        }
    }

    private string TimeoutsSuffix() => holds.Timeouts.Count == 0 ? string.Empty : " Holds that timed out: " + string.Join(" | ", holds.Timeouts);

    /// <summary>Holds the response when the rule says so; the reply to send instead when the hold timed out, or null.</summary>
    private async Task<(bool ClientGone, Reply? Replacement)> HoldIfAskedAsync(FaultRule? fault, (long, long) seen, string? input, CancellationToken token)
    {
        if (fault is not { Holds: true })
        {
            return (false, null);
        }

        (HoldBoard.Outcome outcome, string message) = await holds.HoldAsync(fault, seen, input, token).ConfigureAwait(false);
        return outcome switch
        {
            HoldBoard.Outcome.ClientGone => (true, null),
            HoldBoard.Outcome.TimedOut => (false, Reply.Error(500, message, null, "emulator_hold_timeout", "server_error")),
            _ => (false, null),
        };
    }

    private JsonObject DescribeHolds() => new()
    {
        ["held"] = holds.HeldCount,
        ["arrived"] = holds.Arrived,
        ["answered"] = holds.Answered,
        ["timeouts"] = new JsonArray(holds.Timeouts.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    };

    /// <summary>The /_emulator/holds routes; false when the path is not one of them.</summary>
    private async Task<bool> HandleHoldControlAsync(HttpContext context, string route, byte[] body)
    {
        if (route == "/_emulator/holds" && HttpMethods.IsGet(context.Request.Method))
        {
            if (int.TryParse(context.Request.Query["held"], NumberStyles.Integer, CultureInfo.InvariantCulture, out int count))
            {
                double seconds = double.TryParse(context.Request.Query["timeoutSeconds"], NumberStyles.Float, CultureInfo.InvariantCulture, out double given) ? given : 60;
                if (!await holds.WaitForHeldAsync(count, TimeSpan.FromSeconds(seconds), context.RequestAborted).ConfigureAwait(false))
                {
                    JsonObject state = DescribeHolds();
                    state["error"] = new JsonObject { ["message"] = $"{count} request(s) were never held at once within {seconds.ToString("0.#", CultureInfo.InvariantCulture)} s: {holds.DescribeState()}.{TimeoutsSuffix()}" };
                    await WriteJsonAsync(context, 408, state).ConfigureAwait(false);
                    return true;
                }
            }

            await WriteJsonAsync(context, 200, DescribeHolds()).ConfigureAwait(false);
            return true;
        }

        if (route == "/_emulator/holds/release" && HttpMethods.IsPost(context.Request.Method))
        {
            int? releaseCount = null;
            if (body.Length > 0)
            {
                using JsonDocument document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("count", out JsonElement given) && given.ValueKind == JsonValueKind.Number)
                {
                    releaseCount = given.GetInt32();
                }
            }

            await WriteJsonAsync(context, 200, new JsonObject { ["released"] = holds.Release(releaseCount) }).ConfigureAwait(false);
            return true;
        }

        return false;
    }
}

using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace AitreTts.Tests.Providers;

/// <summary>
/// A small HTTP forward proxy on loopback for the proxy tests: it takes absolute-form requests
/// (<c>POST http://host:port/path HTTP/1.1</c>), forwards each to its origin over a fresh connection, relays the
/// answer, and counts what passed through it.
/// </summary>
internal sealed class ForwardingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ForwardingProxy()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public ConcurrentQueue<string> RequestLines { get; } = new();

    public string? LastProxyAuthorization { get; private set; }

    /// <summary>
    /// When set (<c>user:password</c>), a request without the matching <c>Proxy-Authorization: Basic</c> is answered
    /// 407 with <c>Proxy-Authenticate: Basic</c>, as a proxy that wants credentials does; a client only sends them then.
    /// CONNECT (a tunnel for https) is always answered 407 then.
    /// </summary>
    public string? RequiredCredential { get; init; }

    /// <summary>Requests answered 407.</summary>
    public int Refusals => _refusals;

    /// <summary>Every origin is reached at this one instead, so a test can use a host name that is not loopback.</summary>
    public Uri? Upstream { get; init; }

    private int _refusals;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Stopping the listener ends the accept loop with an exception by design.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            NetworkStream downstream = client.GetStream();
            string head = await ReadHeadAsync(downstream).ConfigureAwait(false);
            string[] lines = head.Split("\r\n");
            string[] requestLine = lines[0].Split(' ');
            RequestLines.Enqueue(lines[0]);
            string? authorization = lines.Skip(1).Where(l => l.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))
                .Select(l => l.Substring(l.IndexOf(':') + 1).Trim()).FirstOrDefault();
            if (authorization is not null)
            {
                LastProxyAuthorization = authorization;
            }

            if (requestLine[0] == "CONNECT" || (RequiredCredential is not null
                && authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(RequiredCredential))))
            {
                int length = lines.Skip(1).Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => int.Parse(l.Substring(l.IndexOf(':') + 1).Trim())).FirstOrDefault();
                await downstream.ReadExactlyAsync(new byte[length]).ConfigureAwait(false);
                Interlocked.Increment(ref _refusals);
                await downstream.WriteAsync(Encoding.ASCII.GetBytes(
                    "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")).ConfigureAwait(false);
                return;
            }

            var target = new Uri(requestLine[1]);
            Uri origin = Upstream ?? target;
            int contentLength = 0;
            var forwarded = new StringBuilder($"{requestLine[0]} {target.PathAndQuery} HTTP/1.1\r\n");
            for (int i = 1; i < lines.Length && lines[i].Length > 0; i++)
            {
                string header = lines[i];
                if (header.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (header.StartsWith("Proxy-Connection:", StringComparison.OrdinalIgnoreCase) || header.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    contentLength = int.Parse(header.Substring(header.IndexOf(':') + 1).Trim());
                }

                forwarded.Append(header).Append("\r\n");
            }

            forwarded.Append("Connection: close\r\n\r\n");
            byte[] body = new byte[contentLength];
            await downstream.ReadExactlyAsync(body).ConfigureAwait(false);

            using var upstreamClient = new TcpClient();
            await upstreamClient.ConnectAsync(origin.Host, origin.Port).ConfigureAwait(false);
            NetworkStream upstream = upstreamClient.GetStream();
            await upstream.WriteAsync(Encoding.ASCII.GetBytes(forwarded.ToString())).ConfigureAwait(false);
            await upstream.WriteAsync(body).ConfigureAwait(false);
            // The origin closes after its answer (Connection: close), so relaying to the end relays exactly one response;
            // the client sees the proxy close too and opens a new connection for its next request.
            await upstream.CopyToAsync(downstream).ConfigureAwait(false);
        }
    }

    private static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one).ConfigureAwait(false) == 0)
            {
                throw new IOException("The client closed the connection before its request head ended.");
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace TtsEmulator;

/// <summary>Faults that change the bytes of a body rather than how or when they are sent.</summary>
public sealed partial class EmulatorServer
{
    private static Reply ReshapeBody(Reply reply, FaultRule fault)
    {
        if (fault.TruncateBodyToBytes is null && !fault.GzipBody)
        {
            return reply;
        }

        byte[] body = reply.Body;
        if (fault.TruncateBodyToBytes is int keep)
        {
            body = body.AsSpan(0, Math.Clamp(keep, 0, body.Length)).ToArray();
        }

        if (fault.GzipBody)
        {
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(body, 0, body.Length);
            }

            body = compressed.ToArray();
        }

        var reshaped = new Reply(reply.Status, body, reply.ContentType) { Chunked = reply.Chunked };
        foreach (KeyValuePair<string, string> header in reply.Headers)
        {
            reshaped.Headers[header.Key] = header.Value;
        }

        if (fault.GzipBody)
        {
            reshaped.Headers["Content-Encoding"] = "gzip";
        }

        return reshaped;
    }
}

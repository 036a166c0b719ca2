using System;
using System.IO;
using System.Threading;

namespace AitreTts.Core.Audio;

/// <summary>
/// A forward reader over one chunk file with a bounded look-ahead window, so parsers can look at a whole
/// frame or page before deciding what to do with it while never holding more than that window in memory.
/// </summary>
internal sealed class ChunkReader : IDisposable
{
    internal const int DefaultBufferSize = 81920;

    // Frames and pages are small (an Ogg page is at most 65307 bytes, a FLAC frame rarely above 64 KiB);
    // anything that asks for more than this is garbage, not audio.
    private const int MaxWindow = 16 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly CancellationToken _cancellationToken;
    private byte[] _buffer;
    private int _start;
    private int _count;
    private long _bufferPosition; // file offset of _buffer[_start]

    public ChunkReader(string path, int index, CancellationToken cancellationToken)
    {
        Path = path;
        Index = index;
        _cancellationToken = cancellationToken;
        try
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            throw AudioErrors.Chunk(index, path, "cannot be read: " + e.Message, e);
        }

        _buffer = new byte[DefaultBufferSize];
        Length = _stream.Length;
        End = Length;
    }

    /// <summary>The chunk file's path, for error messages.</summary>
    public string Path { get; }

    /// <summary>The chunk's zero-based position in the document, for error messages.</summary>
    public int Index { get; }

    /// <summary>The file's length.</summary>
    public long Length { get; }

    /// <summary>Where the audio ends: the file length, or less once trailing tags are cut off.</summary>
    public long End { get; set; }

    /// <summary>The file offset of the next byte.</summary>
    public long Position => _bufferPosition;

    /// <summary>Bytes between <see cref="Position"/> and <see cref="End"/>.</summary>
    public long Remaining => End - _bufferPosition;

    /// <summary>The window; valid from <see cref="Offset"/> for as many bytes as the last <see cref="Ensure"/> made available.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Where <see cref="Position"/> is in <see cref="Buffer"/>.</summary>
    public int Offset => _start;

    /// <summary>The byte at <paramref name="i"/> after <see cref="Position"/>; call <see cref="Ensure"/> first.</summary>
    public byte this[int i] => _buffer[_start + i];

    /// <summary>Makes <paramref name="n"/> bytes from <see cref="Position"/> available; false when fewer remain before <see cref="End"/>.</summary>
    public bool Ensure(int n)
    {
        if (n <= _count)
        {
            return true;
        }

        if (n > Remaining)
        {
            return false;
        }

        if (n > _buffer.Length)
        {
            if (n > MaxWindow)
            {
                return false;
            }

            var bigger = new byte[Math.Max(n, Math.Min(MaxWindow, _buffer.Length * 2))];
            System.Buffer.BlockCopy(_buffer, _start, bigger, 0, _count);
            _buffer = bigger;
            _start = 0;
        }
        else if (_start + n > _buffer.Length)
        {
            System.Buffer.BlockCopy(_buffer, _start, _buffer, 0, _count);
            _start = 0;
        }

        while (_count < n)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            int free = _buffer.Length - _start - _count;
            long readable = End - (_bufferPosition + _count);
            int want = (int)Math.Min(free, readable);
            int read = _stream.Read(_buffer, _start + _count, want);
            if (read <= 0)
            {
                return false;
            }

            _count += read;
        }

        return true;
    }

    /// <summary>Reads <paramref name="n"/> bytes, or fails with the chunk named as truncated.</summary>
    public void Require(int n, string what)
    {
        if (!Ensure(n))
        {
            throw AudioErrors.Chunk(Index, Path, $"is truncated: {what} at offset {Position} needs {n} bytes, {Math.Max(0, Remaining)} remain");
        }
    }

    /// <summary>Moves <see cref="Position"/> forward.</summary>
    public void Skip(long n)
    {
        if (n <= _count)
        {
            _start += (int)n;
            _count -= (int)n;
            _bufferPosition += n;
            if (_count == 0)
            {
                _start = 0;
            }

            return;
        }

        Seek(_bufferPosition + n);
    }

    /// <summary>Moves to an absolute file offset.</summary>
    public void Seek(long position)
    {
        long delta = position - _bufferPosition;
        if (delta >= 0 && delta <= _count)
        {
            Skip(delta);
            return;
        }

        _stream.Seek(position, SeekOrigin.Begin);
        _bufferPosition = position;
        _start = 0;
        _count = 0;
    }

    /// <summary>Copies <paramref name="n"/> bytes from <see cref="Position"/> to <paramref name="sink"/> through the bounded window.</summary>
    public void CopyTo(OutputSink sink, long n, string what)
    {
        while (n > 0)
        {
            int step = (int)Math.Min(n, _buffer.Length);
            Require(step, what);
            sink.Write(_buffer, _start, step);
            Skip(step);
            n -= step;
        }
    }

    /// <summary>Reads bytes at a file offset without moving <see cref="Position"/> (for trailing tags).</summary>
    public bool ReadAt(long position, byte[] destination, int count)
    {
        if (position < 0 || position + count > Length)
        {
            return false;
        }

        long saved = _bufferPosition;
        _stream.Seek(position, SeekOrigin.Begin);
        int total = 0;
        while (total < count)
        {
            int read = _stream.Read(destination, total, count - total);
            if (read <= 0)
            {
                break;
            }

            total += read;
        }

        _stream.Seek(saved + _count, SeekOrigin.Begin);
        return total == count;
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>The destination, written through one bounded buffer, counting bytes and honouring cancellation between buffers.</summary>
internal sealed class OutputSink
{
    private readonly Stream _destination;
    private readonly CancellationToken _cancellationToken;
    private readonly byte[] _buffer = new byte[ChunkReader.DefaultBufferSize];
    private int _count;

    public OutputSink(Stream destination, CancellationToken cancellationToken)
    {
        _destination = destination;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Bytes written so far.</summary>
    public long Written { get; private set; }

    public void Write(byte[] data, int offset, int count)
    {
        Written += count;
        while (count > 0)
        {
            if (_count == _buffer.Length)
            {
                FlushBuffer();
            }

            int step = Math.Min(count, _buffer.Length - _count);
            System.Buffer.BlockCopy(data, offset, _buffer, _count, step);
            _count += step;
            offset += step;
            count -= step;
        }
    }

    public void Write(byte[] data) => Write(data, 0, data.Length);

    public void WriteByte(byte value) => Write(new[] { value }, 0, 1);

    public void Flush()
    {
        FlushBuffer();
        _destination.Flush();
    }

    private void FlushBuffer()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (_count > 0)
        {
            _destination.Write(_buffer, 0, _count);
            _count = 0;
        }
    }
}

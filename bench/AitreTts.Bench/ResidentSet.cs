using System;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace AitreTts.Bench;

/// <summary>
/// Reads this process's resident set (working set) without allocating. Process.Refresh + WorkingSet64 allocates about
/// 12 KB a call, so a sampler built on it every 5 ms inflates the very growth it measures by tens of megabytes.
/// On Linux this preads /proc/self/statm into a reused buffer; elsewhere it falls back to Environment.WorkingSet.
/// </summary>
internal sealed class ResidentSet : IDisposable
{
    private readonly SafeFileHandle? _statm;
    private readonly byte[] _buffer = new byte[256];
    private readonly long _pageSize = Environment.SystemPageSize;

    public ResidentSet()
    {
        try
        {
            _statm = File.OpenHandle("/proc/self/statm", FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            _statm = null;
        }
    }

    /// <summary>Bytes resident now.</summary>
    public long Read()
    {
        if (_statm is null)
        {
            return Environment.WorkingSet;
        }

        // statm: size resident shared text lib data dt, in pages.
        int count = RandomAccess.Read(_statm, _buffer, 0);
        int i = 0;
        while (i < count && _buffer[i] != (byte)' ')
        {
            i++;
        }

        long pages = 0;
        for (i++; i < count && _buffer[i] >= (byte)'0' && _buffer[i] <= (byte)'9'; i++)
        {
            pages = (pages * 10) + (_buffer[i] - (byte)'0');
        }

        return pages * _pageSize;
    }

    public void Dispose() => _statm?.Dispose();
}

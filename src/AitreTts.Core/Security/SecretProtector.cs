using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using AitreTts.Core.Files;
using AitreTts.Core.Errors;

namespace AitreTts.Core.Security;

/// <summary>
/// Protects an API key before it is written to the configuration file, so the file never holds it in plain text.
/// Windows: DPAPI for the current user. Elsewhere: AES-256 with an HMAC, under a random key kept in a separate
/// 0600 file; that keeps the key out of a configuration file that gets copied, pasted or backed up on its own.
/// </summary>
internal sealed class SecretProtector
{
    private const string DpapiPrefix = "dpapi:";
    private const string AesPrefix = "aes:";
    private const int KeyLength = 64;
    private readonly string _keyFilePath;

    /// <summary>Creates a protector whose Unix key file lives in <paramref name="configurationDirectory"/>.</summary>
    public SecretProtector(string configurationDirectory)
    {
        _keyFilePath = Path.Combine(configurationDirectory, "secret.key");
    }

    internal string KeyFilePath => _keyFilePath;

    /// <summary>
    /// The protected, printable form of <paramref name="plainText"/>. Creates the key file when there is none; call
    /// it only from a write that holds the configuration lock.
    /// </summary>
    public string Protect(string plainText)
    {
        byte[] plain = Encoding.UTF8.GetBytes(plainText);
        try
        {
            return RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                ? DpapiPrefix + Convert.ToBase64String(Dpapi.Protect(plain))
                : AesPrefix + Convert.ToBase64String(AesProtect(plain, LoadOrCreateKey()));
        }
        finally
        {
            Array.Clear(plain, 0, plain.Length);
        }
    }

    /// <summary>The plain text of a value made by <see cref="Protect"/>.</summary>
    /// <exception cref="TtsException">TtsConfigurationInvalid when the value cannot be read back on this machine and account.</exception>
    public string Unprotect(string protectedText)
    {
        try
        {
            if (protectedText.StartsWith(DpapiPrefix, StringComparison.Ordinal))
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    throw Unreadable("it was protected with Windows DPAPI, which only Windows can read");
                }

                return Encoding.UTF8.GetString(Dpapi.Unprotect(Convert.FromBase64String(protectedText.Substring(DpapiPrefix.Length))));
            }

            if (protectedText.StartsWith(AesPrefix, StringComparison.Ordinal))
            {
                return Encoding.UTF8.GetString(AesUnprotect(Convert.FromBase64String(protectedText.Substring(AesPrefix.Length)), ReadKey()));
            }
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or Win32Exception)
        {
            throw Unreadable("it was protected for another user or machine, or the file was altered", ex);
        }

        throw Unreadable("its protection scheme is unknown");
    }

    private static TtsException Unreadable(string reason, Exception? inner = null) => new(
        TtsErrorIds.ConfigurationInvalid,
        TtsErrorCategory.InvalidData,
        $"The stored API key cannot be read: {reason}. Store it again with 'Set-TtsConfiguration -ApiKey <key>'.",
        inner);

    // Reading never creates, repairs or replaces the key file: a new key would make every stored secret unreadable.
    private byte[] ReadKey()
    {
        PrivateFile.RefuseLink(_keyFilePath, "The key file");
        byte[] key;
        try
        {
            key = File.ReadAllBytes(_keyFilePath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Unreadable($"its key file {_keyFilePath} is missing", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable($"its key file {_keyFilePath} cannot be read ({ex.Message})", ex);
        }

        if (key.Length != KeyLength)
        {
            Array.Clear(key, 0, key.Length);
            throw new TtsException(
                TtsErrorIds.ConfigurationInvalid,
                TtsErrorCategory.InvalidData,
                $"The key file {_keyFilePath} is {key.Length} bytes long instead of {KeyLength}: it was altered, so no key or proxy password stored with it can be read. It was left as it is. To recover, delete that file, then store each key again with 'Set-TtsConfiguration -ApiKey <key>' (and -ProxyCredential where one was stored).");
        }

        return key;
    }

    // The key file appears complete or not at all: it is written to a private temporary file, then moved to its name
    // with a move that refuses to replace. When another process won that race, its key is the one to use.
    private byte[] LoadOrCreateKey()
    {
        if (File.Exists(_keyFilePath))
        {
            return ReadKey();
        }

        byte[] key = new byte[KeyLength];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(key);
        }

        if (PrivateFile.CreateOnce(_keyFilePath, key))
        {
            return key;
        }

        // Another process created the key first: every process must use that one.
        Array.Clear(key, 0, key.Length);
        return ReadKey();
    }

    // Encrypt-then-MAC: iv | ciphertext | HMAC-SHA256(iv | ciphertext). Key bytes 0..31 encrypt, 32..63 authenticate.
    private static byte[] AesProtect(byte[] plain, byte[] key)
    {
        using Aes aes = Aes.Create();
        aes.Key = Slice(key, 0, 32);
        aes.GenerateIV();
        byte[] cipher;
        using (ICryptoTransform encryptor = aes.CreateEncryptor())
        {
            cipher = encryptor.TransformFinalBlock(plain, 0, plain.Length);
        }

        byte[] payload = new byte[aes.IV.Length + cipher.Length + 32];
        Buffer.BlockCopy(aes.IV, 0, payload, 0, aes.IV.Length);
        Buffer.BlockCopy(cipher, 0, payload, aes.IV.Length, cipher.Length);
        using var hmac = new HMACSHA256(Slice(key, 32, 32));
        byte[] mac = hmac.ComputeHash(payload, 0, aes.IV.Length + cipher.Length);
        Buffer.BlockCopy(mac, 0, payload, aes.IV.Length + cipher.Length, mac.Length);
        return payload;
    }

    private static byte[] AesUnprotect(byte[] payload, byte[] key)
    {
        if (payload.Length < 16 + 16 + 32)
        {
            throw new CryptographicException("The protected value is too short.");
        }

        int macOffset = payload.Length - 32;
        using (var hmac = new HMACSHA256(Slice(key, 32, 32)))
        {
            byte[] expected = hmac.ComputeHash(payload, 0, macOffset);
            int difference = 0;
            for (int i = 0; i < 32; i++)
            {
                difference |= expected[i] ^ payload[macOffset + i];
            }

            if (difference != 0)
            {
                throw new CryptographicException("The protected value does not authenticate.");
            }
        }

        using Aes aes = Aes.Create();
        aes.Key = Slice(key, 0, 32);
        aes.IV = Slice(payload, 0, 16);
        using ICryptoTransform decryptor = aes.CreateDecryptor();
        return decryptor.TransformFinalBlock(payload, 16, macOffset - 16);
    }

    private static byte[] Slice(byte[] source, int offset, int count)
    {
        byte[] slice = new byte[count];
        Buffer.BlockCopy(source, offset, slice, 0, count);
        return slice;
    }

    private static class Dpapi
    {
        private const int UiForbidden = 0x1;

        public static byte[] Protect(byte[] data) => Transform(data, protect: true);

        public static byte[] Unprotect(byte[] data) => Transform(data, protect: false);

        private static byte[] Transform(byte[] data, bool protect)
        {
            var input = new DataBlob();
            var output = new DataBlob();
            GCHandle pinned = GCHandle.Alloc(data, GCHandleType.Pinned);
            try
            {
                input.Size = data.Length;
                input.Data = pinned.AddrOfPinnedObject();
                bool ok = protect
                    ? CryptProtectData(ref input, null, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, UiForbidden, ref output)
                    : CryptUnprotectData(ref input, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, UiForbidden, ref output);
                if (!ok)
                {
                    throw new Win32Exception(Marshal.GetLastWin32Error());
                }

                byte[] result = new byte[output.Size];
                Marshal.Copy(output.Data, result, 0, output.Size);
                return result;
            }
            finally
            {
                pinned.Free();
                if (output.Data != IntPtr.Zero)
                {
                    LocalFree(output.Data);
                }
            }
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct DataBlob
        {
            public int Size;
            public IntPtr Data;
        }

        [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern bool CryptProtectData(ref DataBlob dataIn, string? description, IntPtr entropy, IntPtr reserved, IntPtr prompt, int flags, ref DataBlob dataOut);

        [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern bool CryptUnprotectData(ref DataBlob dataIn, IntPtr description, IntPtr entropy, IntPtr reserved, IntPtr prompt, int flags, ref DataBlob dataOut);

        [DllImport("kernel32.dll")]
        private static extern IntPtr LocalFree(IntPtr handle);
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace DistCacheAkka.Messages.Hashing;

/// <summary>Key hash algorithms. Changing the algorithm of a live cluster re-routes every key.</summary>
public enum KeyHashAlgorithm
{
    XxHash64,
    Sha256,
}

/// <summary>
/// Stable 64-bit hash of a key's UTF-8 bytes: the same on every process, machine and run
/// (unlike <see cref="string.GetHashCode()"/>, which is randomised per process and must never route).
/// INVARIANT: the output for a given key and algorithm never changes; golden vectors in the tests guard it.
/// </summary>
public static class KeyHasher
{
    private const int StackLimit = 512;

    public static ulong Hash(string key, KeyHashAlgorithm algorithm = KeyHashAlgorithm.XxHash64)
    {
        ArgumentNullException.ThrowIfNull(key);
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        // Exactly max bytes: the stack buffer is zeroed on every call, so a fixed 512 bytes would cost more than the hash.
        var buffer = max <= StackLimit ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(key, buffer);
            return Hash(buffer[..length], algorithm);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static ulong Hash(ReadOnlySpan<byte> utf8, KeyHashAlgorithm algorithm = KeyHashAlgorithm.XxHash64)
    {
        if (algorithm == KeyHashAlgorithm.XxHash64)
            return XxHash64.HashToUInt64(utf8);

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(utf8, digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }
}

using System.Text.Json;

namespace DistCacheAkka.ClientProxy;

/// <summary>Turns typed values into the bytes the cache stores, and back. Implementations must be thread-safe.</summary>
public interface IValueSerializer
{
    /// <summary>The bytes of <paramref name="value"/>.</summary>
    byte[] Serialize<T>(T value);

    /// <summary>The value encoded in <paramref name="bytes"/>; throws if they do not encode a <typeparamref name="T"/>.</summary>
    T? Deserialize<T>(byte[] bytes);
}

/// <summary>The default value serializer: System.Text.Json with web defaults (camelCase).</summary>
public sealed class JsonValueSerializer(JsonSerializerOptions? options = null) : IValueSerializer
{
    /// <summary>The shared default instance.</summary>
    public static readonly JsonValueSerializer Default = new();

    private readonly JsonSerializerOptions _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _options);

    /// <inheritdoc />
    public T? Deserialize<T>(byte[] bytes) => JsonSerializer.Deserialize<T>(bytes, _options);
}

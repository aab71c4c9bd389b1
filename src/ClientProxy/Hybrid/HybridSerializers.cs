using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.ClientProxy.Hybrid;

/// <summary>
/// Finds the <see cref="IHybridCacheSerializer{T}"/> of each type, as Microsoft's HybridCache does: a serializer of
/// exactly that type registered in the container wins; then the registered <see cref="IHybridCacheSerializerFactory"/>s,
/// the last registered first; then the defaults (string as UTF-8, byte[] as is, anything else System.Text.Json).
/// Resolved once per type.
/// </summary>
internal sealed class HybridSerializers(IServiceProvider services)
{
    private readonly ConcurrentDictionary<Type, object> _byType = new();
    private readonly IHybridCacheSerializerFactory[] _factories =
        services.GetServices<IHybridCacheSerializerFactory>().Reverse().Append(DefaultSerializerFactory.Instance).ToArray();

    public IHybridCacheSerializer<T> For<T>() => (IHybridCacheSerializer<T>)_byType.GetOrAdd(typeof(T), _ => Resolve<T>());

    private IHybridCacheSerializer<T> Resolve<T>()
    {
        if (services.GetService<IHybridCacheSerializer<T>>() is { } registered)
            return registered;
        foreach (var factory in _factories)
        {
            if (factory.TryCreateSerializer<T>(out var serializer))
                return serializer;
        }

        throw new InvalidOperationException($"No HybridCache serializer for {typeof(T)}."); // unreachable: the default takes every type
    }
}

/// <summary>The default serializers: string as UTF-8, byte[] as is, anything else System.Text.Json (default options).</summary>
internal sealed class DefaultSerializerFactory : IHybridCacheSerializerFactory
{
    public static readonly DefaultSerializerFactory Instance = new();

    public bool TryCreateSerializer<T>([NotNullWhen(true)] out IHybridCacheSerializer<T>? serializer)
    {
        serializer = typeof(T) == typeof(string) ? (IHybridCacheSerializer<T>)(object)Utf8StringSerializer.Instance
            : typeof(T) == typeof(byte[]) ? (IHybridCacheSerializer<T>)(object)RawBytesSerializer.Instance
            : new JsonHybridSerializer<T>();
        return true;
    }

    private sealed class Utf8StringSerializer : IHybridCacheSerializer<string>
    {
        public static readonly Utf8StringSerializer Instance = new();

        public string Deserialize(ReadOnlySequence<byte> source) => Encoding.UTF8.GetString(source);

        public void Serialize(string value, IBufferWriter<byte> target) => Encoding.UTF8.GetBytes(value, target);
    }

    private sealed class RawBytesSerializer : IHybridCacheSerializer<byte[]>
    {
        public static readonly RawBytesSerializer Instance = new();

        public byte[] Deserialize(ReadOnlySequence<byte> source) => source.ToArray();

        public void Serialize(byte[] value, IBufferWriter<byte> target) => target.Write(value);
    }

    private sealed class JsonHybridSerializer<T> : IHybridCacheSerializer<T>
    {
        public T Deserialize(ReadOnlySequence<byte> source)
        {
            var reader = new Utf8JsonReader(source);
            return JsonSerializer.Deserialize<T>(ref reader)!;
        }

        public void Serialize(T value, IBufferWriter<byte> target)
        {
            using var writer = new Utf8JsonWriter(target);
            JsonSerializer.Serialize(writer, value);
        }
    }
}

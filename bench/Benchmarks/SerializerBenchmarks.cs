using Akka.Actor;
using BenchmarkDotNet.Attributes;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.Benchmarks;

/// <summary>Round trip of a Set with a 100-byte value through the protocol serializer (target: &lt; 1 µs,
/// ≤ 2 allocations beyond the payload).</summary>
[MemoryDiagnoser]
public class SerializerBenchmarks
{
    private ActorSystem _system = null!;
    private CacheProtocolSerializer _serializer = null!;
    private Set _set = null!;
    private byte[] _bytes = null!;
    private string _manifest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench");
        _serializer = new CacheProtocolSerializer((ExtendedActorSystem)_system);
        _set = new Set("user:4242:session:7f", Enumerable.Range(0, 100).Select(i => (byte)i).ToArray(),
            CacheExpiry.After(TimeSpan.FromMinutes(5)), ConsistencyLevel.Quorum);
        _bytes = _serializer.ToBinary(_set);
        _manifest = _serializer.Manifest(_set);
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark]
    public byte[] Serialize() => _serializer.ToBinary(_set);

    [Benchmark]
    public object Deserialize() => _serializer.FromBinary(_bytes, _manifest);

    [Benchmark]
    public object RoundTrip() => _serializer.FromBinary(_serializer.ToBinary(_set), _serializer.Manifest(_set));
}

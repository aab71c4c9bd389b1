using Akka.Actor;
using Akka.Configuration;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.Tests.Unit.Serialization;

// Verifies the registration HOCON in a real actor system (local and remote providers): every concrete
// ICacheMessage type resolves to CacheProtocolSerializer (so nothing of the protocol falls back to JSON), Akka's
// own dispatch by identifier + manifest decodes our bytes, and types outside the protocol are left alone
// because only the marker interface is bound.
public class SerializerBindingSpecs
{
    private const string LocalProvider = "akka.actor.provider = local";

    private const string RemoteProvider = """
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp {
          hostname = 127.0.0.1
          port = 0
        }
        """;

    [Theory]
    [InlineData(LocalProvider)]
    [InlineData(RemoteProvider)]
    public async Task Should_bind_every_protocol_type_to_the_cache_serializer(string providerHocon)
    {
        var system = CreateSystem(providerHocon);
        try
        {
            foreach (var type in ProtocolSamples.ConcreteMessageTypes)
            {
                var serializer = system.Serialization.FindSerializerForType(type);
                Assert.True(serializer is CacheProtocolSerializer,
                    $"{type.Name} is serialized by {serializer.GetType().Name}, not CacheProtocolSerializer.");
                Assert.Equal(CacheProtocolSerializer.Id, serializer.Identifier);
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task Should_round_trip_every_sample_through_akka_serialization()
    {
        var system = CreateSystem(RemoteProvider);
        try
        {
            foreach (var message in ProtocolSamples.All.Values)
            {
                var serializer = system.Serialization.FindSerializerFor(message);
                var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
                var bytes = serializer.ToBinary(message);

                // What a receiving node does with an envelope: look the serializer up by identifier, pass the manifest.
                var decoded = system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

                Assert.Equal(ProtocolSamples.Describe(message), ProtocolSamples.Describe(decoded));
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task Should_leave_types_outside_the_protocol_to_other_serializers()
    {
        var system = CreateSystem(LocalProvider);
        try
        {
            Assert.IsNotType<CacheProtocolSerializer>(system.Serialization.FindSerializerForType(typeof(string)));
            Assert.IsNotType<CacheProtocolSerializer>(system.Serialization.FindSerializerForType(typeof(Identify)));
            // Payload records nested in protocol messages are not messages themselves.
            Assert.IsNotType<CacheProtocolSerializer>(system.Serialization.FindSerializerForType(typeof(CacheItem)));
            Assert.IsNotType<CacheProtocolSerializer>(system.Serialization.FindSerializerForType(typeof(ReplicaEntry)));
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static ActorSystem CreateSystem(string providerHocon) =>
        ActorSystem.Create("ser", ConfigurationFactory.ParseString(providerHocon).WithFallback(CacheProtocolSerializer.Config));
}

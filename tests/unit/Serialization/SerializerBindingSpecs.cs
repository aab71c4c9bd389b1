using Akka.Actor;
using Akka.Configuration;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.Tests.Unit.Serialization;

// Verifies the registration HOCON in a real actor system (local and remote providers): every concrete
// ICacheMessage type resolves to CacheProtocolSerializer (so nothing of the protocol falls back to JSON), Akka's
// own dispatch by identifier + manifest decodes our bytes, and types outside the protocol are left alone
// because only the marker interface is bound. Then that nodes and clients agree on it because there is one copy:
// the node's and the client's configurations take it from CacheProtocolSerializer.Hocon, and neither hocon file
// repeats it; the split brain resolver is configured for nodes only.
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

    [Fact]
    public void Should_give_nodes_and_clients_the_registration_of_the_serializer_itself()
    {
        var expected = Registration(CacheProtocolSerializer.Config);
        Assert.Equal(typeof(CacheProtocolSerializer).FullName + ", DistCacheAkka.Messages", expected.Serializer);
        Assert.Equal($"{typeof(ICacheMessage).FullName}, DistCacheAkka.Messages = distcache", expected.Bindings);

        Assert.Equal(expected, Registration(NodeConfig.Build(null, "", "")));
        Assert.Equal(expected, Registration(NodeConfig.Build(null, "", "distcache.node.role = worker")));
        Assert.Equal(expected, Registration(DistCacheClient.ClientConfig));

        // One copy: the files the configurations are built from do not write it again.
        foreach (var file in new[] { NodeConfig.Embedded("node.conf"), NodeConfig.Embedded("seed.conf"), NodeConfig.Embedded("worker.conf"), ClientFile() })
        {
            Assert.False(file.HasPath("akka.actor.serializers"));
            Assert.False(file.HasPath("akka.actor.serialization-bindings"));
        }
    }

    [Fact]
    public void Should_configure_the_split_brain_resolver_for_nodes_only()
    {
        Assert.Equal("keep-majority", NodeConfig.Build(null, "", "").GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.True(NodeConfig.Embedded("node.conf").HasPath("akka.cluster.split-brain-resolver"));
        Assert.False(NodeConfig.Embedded("seed.conf").HasPath("akka.cluster.split-brain-resolver"));
        Assert.False(NodeConfig.Embedded("worker.conf").HasPath("akka.cluster.split-brain-resolver"));
        // A client is not a member: no resolver, no downing provider, nothing of the cluster at all.
        Assert.False(DistCacheClient.ClientConfig.HasPath("akka.cluster"));
    }

    private static (string Serializer, string Bindings) Registration(Config config) => (
        config.GetString("akka.actor.serializers.distcache"),
        string.Join("; ", config.GetConfig("akka.actor.serialization-bindings").AsEnumerable().Select(b => $"{b.Key} = {b.Value.GetString()}")));

    private static Config ClientFile()
    {
        using var stream = typeof(DistCacheClient).Assembly.GetManifestResourceStream("DistCacheAkka.client.conf")!;
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    private static ActorSystem CreateSystem(string providerHocon) =>
        ActorSystem.Create("ser", ConfigurationFactory.ParseString(providerHocon).WithFallback(CacheProtocolSerializer.Config));
}

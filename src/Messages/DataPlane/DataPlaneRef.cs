using Akka.Actor;
using Akka.Serialization;

namespace DistCacheAkka.Messages.DataPlane;

/// <summary>
/// A local <see cref="IActorRef"/> standing for one data-plane connection, so the actors on either end keep talking
/// to an actor ref: on the node it is the Sender of a client's requests (the gateway's replies to it become frames),
/// on the client it is the gateway of that node (the proxy's envelopes to it become frames; the replies read from the
/// socket reach the proxy with this ref as their Sender). Its path is a unique temporary path of the local provider,
/// registered while the connection lives. After <see cref="Stop"/> every Tell is dropped.
/// </summary>
internal sealed class DataPlaneRef : MinimalActorRef
{
    private readonly Action<object> _deliver;
    private volatile bool _stopped;

    private DataPlaneRef(IActorRefProvider provider, ActorPath path, Action<object> deliver)
    {
        Provider = provider;
        Path = path;
        _deliver = deliver;
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider { get; }

    public override bool IsTerminated => _stopped;

    /// <summary>A new ref under /temp of <paramref name="system"/> whose Tell calls <paramref name="deliver"/>.</summary>
    public static DataPlaneRef Create(ActorSystem system, Action<object> deliver)
    {
        var provider = ((ExtendedActorSystem)system).Provider;
        var path = provider.TempPath();
        var actorRef = new DataPlaneRef(provider, path, deliver);
        provider.RegisterTempActor(actorRef, path);
        return actorRef;
    }

    public override void Stop()
    {
        if (_stopped)
            return;
        _stopped = true;
        Provider.UnregisterTempActor(Path);
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (!_stopped)
            _deliver(message);
    }
}

/// <summary>The protocol serializer as the data plane uses it: the one Akka binds to the envelopes (so a frame's
/// payload is exactly what remoting would carry), with the manifests the direction implies.</summary>
internal sealed class DataPlaneSerializer
{
    private readonly SerializerWithStringManifest _serializer;
    private readonly string _requestsManifest;
    private readonly string _repliesManifest;

    public DataPlaneSerializer(ActorSystem system)
    {
        var requests = new CoalescedRequests(TimeSpan.Zero, []);
        var replies = new CoalescedReplies([]);
        _serializer = system.Serialization.FindSerializerFor(requests) as SerializerWithStringManifest
                      ?? throw new InvalidOperationException("CoalescedRequests is not bound to a serializer with string manifests (CacheProtocolSerializer).");
        _requestsManifest = _serializer.Manifest(requests);
        _repliesManifest = _serializer.Manifest(replies);
    }

    public byte[] Encode(ICacheMessage message) => _serializer.ToBinary(message);

    /// <exception cref="System.Runtime.Serialization.SerializationException">The payload is not a valid envelope.</exception>
    public CoalescedRequests DecodeRequests(byte[] payload) => (CoalescedRequests)_serializer.FromBinary(payload, _requestsManifest);

    /// <exception cref="System.Runtime.Serialization.SerializationException">The payload is not a valid envelope.</exception>
    public CoalescedReplies DecodeReplies(byte[] payload) => (CoalescedReplies)_serializer.FromBinary(payload, _repliesManifest);
}

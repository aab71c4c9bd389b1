using Akka.Actor;
using DistCacheAkka.Messages.DataPlane;

namespace DistCacheAkka.ClientProxy.Actors;

/// <summary>
/// The proxy's bookkeeping of its data-plane connections, one per data node: the port the node advertised, the open
/// connection and the ref standing for it, whether a connection attempt runs, and how many attempts failed in a row
/// (for the backoff). No Akka behaviour here beyond holding the refs.
/// </summary>
internal sealed class DataPlaneLinks
{
    public static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, Link> _links = new(StringComparer.Ordinal);

    /// <summary>The ref of <paramref name="node"/>'s open connection, if any.</summary>
    public IActorRef? RefOf(string node) => _links.TryGetValue(node, out var link) ? link.Ref : null;

    /// <summary>Records the port a report advertised; returns the connection to close when the port changed (the node
    /// restarted elsewhere), and whether a connection attempt should start now.</summary>
    public (DataPlaneConnection? Stale, bool Connect) Advertised(string node, int port)
    {
        if (!_links.TryGetValue(node, out var link))
            _links[node] = link = new Link();
        DataPlaneConnection? stale = null;
        if (link.Port != port)
        {
            stale = link.Connection;
            link.Port = port;
            link.Failures = 0;
        }

        return (stale, port > 0 && link.Connection is null && !link.Connecting && !link.RetryPending);
    }

    /// <summary>Marks an attempt started; returns the port to connect to, or 0 when there is none to make.</summary>
    public int BeginConnect(string node)
    {
        if (!_links.TryGetValue(node, out var link) || link.Port == 0 || link.Connection is not null || link.Connecting)
            return 0;
        link.RetryPending = false;
        link.Connecting = true;
        return link.Port;
    }

    /// <summary>An attempt succeeded; false when the connection is no longer wanted (the port changed meanwhile).</summary>
    public bool Connected(string node, int port, DataPlaneConnection connection, IActorRef actorRef)
    {
        var link = _links[node];
        link.Connecting = false;
        if (link.Port != port || connection.IsClosed)
            return false;
        link.Connection = connection;
        link.Ref = actorRef;
        link.Failures = 0;
        return true;
    }

    /// <summary>An attempt failed, or the connection of <paramref name="actorRef"/> closed (null: an attempt); returns
    /// false when that connection was not the current one (nothing to do), else the backoff before the next attempt
    /// (1 s, doubling up to 30 s while attempts keep failing).</summary>
    public bool Lost(string node, IActorRef? actorRef, out TimeSpan backoff)
    {
        backoff = TimeSpan.Zero;
        if (!_links.TryGetValue(node, out var link))
            return false;
        if (actorRef is null)
            link.Connecting = false;
        else if (!actorRef.Equals(link.Ref))
            return false;
        link.Connection = null;
        link.Ref = null;
        link.RetryPending = true;
        backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks << Math.Min(link.Failures, 16)));
        link.Failures++;
        return true;
    }

    /// <summary>The open connection of <paramref name="node"/>, if any (to close it).</summary>
    public DataPlaneConnection? ConnectionOf(string node) => _links.TryGetValue(node, out var link) ? link.Connection : null;

    /// <summary>Every open connection (to close them all when the proxy stops).</summary>
    public IEnumerable<DataPlaneConnection> Open => _links.Values.Select(l => l.Connection).OfType<DataPlaneConnection>().ToList();

    private sealed class Link
    {
        public int Port;
        public DataPlaneConnection? Connection;
        public IActorRef? Ref;
        public bool Connecting;
        public bool RetryPending;
        public int Failures;
    }
}

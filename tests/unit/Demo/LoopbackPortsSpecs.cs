using System.Net;
using System.Net.Sockets;
using DistCacheAkka.CacheNode.Demo;

namespace DistCacheAkka.Tests.Unit.Demo;

// The demo and the process specs start child nodes on ports chosen beforehand. A port from the kernel's ephemeral range
// can be taken by any outgoing connection before the child binds it (the demo's worker-3 once died with "Address
// already in use" while its client was reconnecting to a killed node), so the ports come from below that range.
public class LoopbackPortsSpecs
{
    [Fact]
    public void Should_choose_free_ports_below_the_ephemeral_range_that_outgoing_connections_use()
    {
        var low = LoopbackPorts.EphemeralLow();
        var ports = Enumerable.Range(0, 20).Select(_ => LoopbackPorts.Free()).ToList();

        if (low >= 11_000) // Linux: /proc tells the range (elsewhere the kernel's own choice is the fallback)
            Assert.All(ports, port => Assert.InRange(port, 10_000, low - 1));
        using var listener = new TcpListener(IPAddress.Loopback, ports[0]);
        listener.Start(); // free: the child can bind it
    }

    [Fact]
    public void Should_never_choose_a_port_something_listens_on()
    {
        var low = Math.Max(LoopbackPorts.EphemeralLow(), 10_500);
        var taken = new List<TcpListener>();
        try
        {
            // Occupy 500 of the range's ports; 200 draws must all miss them.
            for (var port = 10_000; taken.Count < 500 && port < low; port++)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                    taken.Add(listener);
                }
                catch (SocketException)
                {
                    listener.Dispose();
                }
            }

            var occupied = taken.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToHashSet();
            for (var i = 0; i < 200; i++)
                Assert.DoesNotContain(LoopbackPorts.Free(), occupied);
        }
        finally
        {
            foreach (var listener in taken)
                listener.Dispose();
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace DistCacheAkka.CacheNode.Demo;

/// <summary>
/// Free TCP ports on 127.0.0.1 for child nodes started by the demo, the process specs and the benchmarks.
/// A port taken with bind(0) comes from the kernel's ephemeral range, the same range every outgoing connection's
/// local port comes from: between choosing it and the child binding it (a second or two of process start-up) any
/// connection made meanwhile may take it, and the child dies with "Address already in use" (seen once in the demo:
/// its client was reconnecting to a killed node while the next worker started). So ports are chosen below the
/// ephemeral range, where outgoing connections never land, at random, and checked free by binding them.
/// </summary>
internal static class LoopbackPorts
{
    private const int Lowest = 10_000;
    private const string EphemeralRange = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>A port on 127.0.0.1 that nothing listens on now and that outgoing connections will not take.</summary>
    public static int Free()
    {
        var below = EphemeralLow();
        if (below - Lowest >= 1_000)
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = Random.Shared.Next(Lowest, below);
                if (CanBind(port))
                    return port;
            }

        // Not Linux, or a range starting too low to leave room under it: the kernel's choice.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first port of the kernel's ephemeral range (0 when it cannot be read).</summary>
    internal static int EphemeralLow()
    {
        try
        {
            var fields = File.ReadAllText(EphemeralRange).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && int.TryParse(fields[0], out var low) ? low : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// One UDP socket on port 5353 for every mDNS user in this process on the same interfaces (a farm of 1000 boards
/// holds one socket, not 1000: the kernel copies each multicast packet once per socket, and each copy had to be read
/// and parsed). Shared with other processes too (SO_REUSEADDR), member of 224.0.0.251 on the chosen interfaces, multicast
/// loopback on. Multicast goes out with a real source address: the interface is chosen by its address (IP_MULTICAST_IF),
/// which also sets the source, where choosing it by index alone left 0.0.0.0 on a loopback-only host (lo's 127.0.0.1
/// has host scope), which system daemons such as avahi drop. The receive buffer is sized for a burst of answers
/// from a thousand boards. A packet is parsed once, only if some user wants its kind (query, probe or response), and
/// handed to each such user in arrival order.
/// </summary>
internal sealed class MdnsSocket
{
    public const int Port = 5353;
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.251");
    public static readonly IPEndPoint GroupEndPoint = new(Group, Port);

    /// <summary>What we ask for; Linux doubles it and caps the request at net.core.rmem_max unless SO_RCVBUFFORCE is allowed.</summary>
    public const int WantedReceiveBuffer = 4 << 20;

    private const int SolSocket = 1;        // Linux SOL_SOCKET
    private const int SoRcvBufForce = 33;   // Linux SO_RCVBUFFORCE (needs CAP_NET_ADMIN; ignores rmem_max)

    private static readonly Lock PoolLock = new();
    private static readonly Dictionary<string, MdnsSocket> Pool = [];

    private readonly string _key;
    private readonly Socket _socket;
    private readonly IReadOnlyList<MdnsInterface> _interfaces;
    private readonly DnsWriter _writer = new();
    private readonly Lock _sendLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _receiveThread;
    private readonly TaskCompletionSource _receiveEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MdnsTransport[] _users = [];
    private int _references;
    private long _malformed;
    private long _received;
    private long _parsed;
    private IPAddress? _multicastSource;

    private MdnsSocket(string key, IReadOnlyList<MdnsInterface> interfaces)
    {
        _key = key;
        _interfaces = interfaces;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.ExclusiveAddressUse = false;
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            ReceiveBufferBytes = SizeReceiveBuffer(_socket);
            _socket.Bind(new IPEndPoint(IPAddress.Any, Port));
            foreach (var nic in interfaces)
                _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group, nic.Index));
            SetMulticastSource(interfaces[0].Address);
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            _socket.MulticastLoopback = true;
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new MdnsException($"cannot open mDNS socket on {string.Join(", ", interfaces)}: {e.Message}", e);
        }
        MaxPacketSize = Math.Min(DnsWriter.MaxMessageSize, interfaces.Min(i => i.Mtu) - 28);   // IPv4 + UDP headers
        _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = "mDNS receive" };
        _receiveThread.Start();
    }

    /// <summary>The receive buffer the kernel granted (what <c>getsockopt(SO_RCVBUF)</c> reports).</summary>
    public int ReceiveBufferBytes { get; }

    /// <summary>The largest packet we send: the smallest interface MTU less IP and UDP headers, at most 9000 (RFC 6762 §17).</summary>
    public int MaxPacketSize { get; }

    public IReadOnlyList<MdnsInterface> Interfaces => _interfaces;

    public long MalformedPackets => Interlocked.Read(ref _malformed);

    /// <summary>Packets read from the socket / of those, parsed (someone wanted their kind).</summary>
    public (long Received, long Parsed) Counts => (Interlocked.Read(ref _received), Interlocked.Read(ref _parsed));

    /// <summary>Adds <paramref name="user"/> to the process's socket for these interfaces, opening it if needed.</summary>
    public static MdnsSocket Acquire(IReadOnlyList<MdnsInterface> interfaces, MdnsTransport user)
    {
        if (interfaces.Count == 0) throw new MdnsException("no interface to run mDNS on");
        string key = string.Join(",", interfaces.Select(i => $"{i.Index}/{i.Address}").Order());
        lock (PoolLock)
        {
            if (!Pool.TryGetValue(key, out var socket)) Pool[key] = socket = new MdnsSocket(key, interfaces);
            socket._references++;
            socket._users = [.. socket._users, user];
            return socket;
        }
    }

    /// <summary>Removes <paramref name="user"/>; the last one out closes the socket.</summary>
    public async ValueTask ReleaseAsync(MdnsTransport user)
    {
        lock (PoolLock)
        {
            _users = _users.Where(u => u != user).ToArray();
            if (--_references > 0) return;
            Pool.Remove(_key);
            lock (_sendLock) _stop.Cancel();
        }
        _socket.Dispose();   // wakes the blocked receive
        await _receiveEnded.Task.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>
    /// Sends to 224.0.0.251:5353 on every interface (source: <paramref name="source"/> where that is an address of the
    /// interface, else the interface's own), or to <paramref name="unicast"/> when given.
    /// </summary>
    public void Send(DnsMessage message, IPEndPoint? unicast, IPAddress? source)
    {
        lock (_sendLock)
        {
            if (_stop.IsCancellationRequested) return;
            SendLocked(_writer.Write(message), unicast, source);
        }
    }

    /// <summary>
    /// Sends a query whose known answers may not fit one packet (RFC 6762 §7.2): the questions and as many known answers as
    /// fit go first, the rest follow in packets of answers only, every packet but the last with the TC bit.
    /// </summary>
    public int SendQuery(IReadOnlyList<DnsQuestion> questions, IReadOnlyList<DnsRecord> knownAnswers, IPAddress? source)
    {
        lock (_sendLock)
        {
            if (_stop.IsCancellationRequested) return 0;
            int packets = 0;
            int next = 0;
            do
            {
                var packet = _writer.WriteQueryPart(packets == 0 ? questions : [], knownAnswers, next, MaxPacketSize, out next);
                SendLocked(packet, null, source);
                packets++;
            }
            while (next < knownAnswers.Count);
            return packets;
        }
    }

    private void SendLocked(ReadOnlySpan<byte> bytes, IPEndPoint? unicast, IPAddress? source)
    {
        try
        {
            if (unicast is not null)
            {
                _socket.SendTo(bytes, SocketFlags.None, unicast);
                return;
            }
            foreach (var nic in _interfaces)
            {
                SetMulticastSource(nic.SourceFor(source));
                _socket.SendTo(bytes, SocketFlags.None, GroupEndPoint);
            }
        }
        catch (SocketException)
        {
            // UDP is best effort: a send that fails (interface down, no route) is like a lost packet; mDNS retries.
        }
    }

    /// <summary>IP_MULTICAST_IF by address: picks the interface that holds the address and makes it the source.</summary>
    private void SetMulticastSource(IPAddress address)
    {
        if (address.Equals(_multicastSource)) return;
        _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, BinaryPrimitives.ReadInt32LittleEndian(address.GetAddressBytes()));
        _multicastSource = address;
    }

    private static int SizeReceiveBuffer(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(WantedReceiveBuffer));
                return socket.ReceiveBufferSize;
            }
            catch (SocketException)
            {
                // not privileged: fall back to SO_RCVBUF, which net.core.rmem_max caps
            }
        }
        try { socket.ReceiveBufferSize = WantedReceiveBuffer; }
        catch (SocketException) { }
        return socket.ReceiveBufferSize;
    }

    /// <summary>
    /// A thread of its own blocked in recvmsg: a packet costs one system call and no hop through the thread pool (an
    /// async receive per packet cost a flood's reader ~100 µs of CPU each), so bursts drain at the speed they arrive.
    /// </summary>
    private void ReceiveLoop()
    {
        var buffer = new byte[DnsWriter.MaxMessageSize];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int length;
                IPPacketInformation info;
                EndPoint remote = any;
                try
                {
                    var flags = SocketFlags.None;
                    length = _socket.ReceiveMessageFrom(buffer, 0, buffer.Length, ref flags, ref remote, out info);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    if (_stop.IsCancellationRequested) return;
                    continue;   // e.g. ICMP port unreachable reported on a later receive
                }
                Interlocked.Increment(ref _received);
                var nic = _interfaces.Count == 1 && info.Interface == 0 ? _interfaces[0] : FindInterface(info.Interface);
                if (nic is null) continue;
                Dispatch(buffer.AsSpan(0, length), (IPEndPoint)remote, nic);
            }
        }
        finally
        {
            _receiveEnded.TrySetResult();
        }
    }

    private MdnsInterface? FindInterface(int index)
    {
        foreach (var i in _interfaces)
            if (i.Index == index) return i;
        return null;
    }

    private void Dispatch(ReadOnlySpan<byte> bytes, IPEndPoint source, MdnsInterface nic)
    {
        var kind = KindOf(bytes);
        var users = Volatile.Read(ref _users);
        bool wanted = false;
        foreach (var u in users) wanted |= (u.Interest & kind) != 0;
        if (!wanted) return;   // nobody here reads this kind: skip the parse (a flood of queries costs a browser one read each)
        DnsMessage message;
        try
        {
            message = DnsReader.Read(bytes);
        }
        catch (DnsFormatException)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        Interlocked.Increment(ref _parsed);
        var packet = new MdnsPacket(message, source, nic);
        foreach (var u in users)
            if ((u.Interest & kind) != 0) u.Deliver(packet);
    }

    /// <summary>From the header alone: a response (QR), a probe (a query with an authority section, RFC 6762 §8.1) or another query.</summary>
    internal static MdnsInterest KindOf(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < DnsHeader.Size) return MdnsInterest.Queries;   // malformed: counted by whoever reads queries
        if ((bytes[2] & 0x80) != 0) return MdnsInterest.Responses;
        return bytes[8] != 0 || bytes[9] != 0 ? MdnsInterest.Probes : MdnsInterest.Queries;
    }
}

/// <summary>The kinds of mDNS packet a user of the socket reads; the others are never parsed for it.</summary>
[Flags]
internal enum MdnsInterest
{
    None = 0,
    /// <summary>Queries without an authority section.</summary>
    Queries = 1,
    /// <summary>Queries with an authority section: probes (RFC 6762 §8.1).</summary>
    Probes = 2,
    /// <summary>Responses (QR set).</summary>
    Responses = 4,
    AllQueries = Queries | Probes,
    All = Queries | Probes | Responses,
}

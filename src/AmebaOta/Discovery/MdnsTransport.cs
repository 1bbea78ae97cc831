using System.Net;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>A received, parsed mDNS message, where it came from and on which interface. One instance is handed to every reader.</summary>
internal sealed class MdnsPacket(DnsMessage message, IPEndPoint source, MdnsInterface nic)
{
    private KnownAnswers? _knownAnswers;

    public DnsMessage Message => message;
    public IPEndPoint Source => source;
    public MdnsInterface Interface => nic;

    /// <summary>The answer section of a query indexed for known-answer suppression (built once, on first use, for all readers).</summary>
    public KnownAnswers KnownAnswers => _knownAnswers ??= new KnownAnswers(message.Answers);
}

/// <summary>
/// One user's handle on mDNS (a responder, a browsing session, a reboot watcher): sends through, and receives from, the
/// process's shared <see cref="MdnsSocket"/> for its interfaces. Only packets of the kinds in <see cref="Interest"/> are
/// parsed and handed to the handler; after <see cref="DisposeAsync"/> returns the handler is never called again.
/// IPv4 only.
/// </summary>
internal sealed class MdnsTransport : IAsyncDisposable
{
    public const int Port = MdnsSocket.Port;
    public static readonly IPAddress Group = MdnsSocket.Group;
    public static readonly IPEndPoint GroupEndPoint = MdnsSocket.GroupEndPoint;

    private readonly Action<MdnsPacket> _handler;
    private readonly Lock _deliverLock = new();
    private readonly MdnsSocket _socket;
    private readonly long _malformedAtStart;
    private volatile MdnsInterest _interest;
    private bool _closed;
    private long _faults;

    public MdnsTransport(IReadOnlyList<MdnsInterface> interfaces, Action<MdnsPacket> handler, MdnsInterest interest = MdnsInterest.All, IPAddress? source = null)
    {
        _handler = handler;
        _interest = interest;
        Source = source;
        _socket = MdnsSocket.Acquire(interfaces, this);
        _malformedAtStart = _socket.MalformedPackets;
    }

    /// <summary>Which kinds of packet the handler gets; may change at any time (a responder reads responses only while probing).</summary>
    public MdnsInterest Interest
    {
        get => _interest;
        set => _interest = value;
    }

    /// <summary>Preferred source address of our multicast packets (a board's own address); see <see cref="MdnsInterface.SourceFor"/>.</summary>
    public IPAddress? Source { get; }

    public IReadOnlyList<MdnsInterface> Interfaces => _socket.Interfaces;

    public MdnsSocket Socket => _socket;

    /// <summary>Malformed packets dropped on the shared socket since this handle opened.</summary>
    public int MalformedPackets => (int)(_socket.MalformedPackets - _malformedAtStart);

    /// <summary>Exceptions the handler threw (each one dropped that packet for this handler only).</summary>
    public long HandlerFaults => Interlocked.Read(ref _faults);

    /// <summary>Sends to 224.0.0.251:5353 on every interface, or to <paramref name="unicast"/> when given.</summary>
    public void Send(DnsMessage message, IPEndPoint? unicast = null)
    {
        if (!Volatile.Read(ref _closed)) _socket.Send(message, unicast, Source);
    }

    /// <summary>A query with its known answers, split over several packets with the TC bit when they do not fit one (RFC 6762 §7.2); returns the packet count.</summary>
    public int SendQuery(IReadOnlyList<DnsQuestion> questions, IReadOnlyList<DnsRecord> knownAnswers) =>
        Volatile.Read(ref _closed) ? 0 : _socket.SendQuery(questions, knownAnswers, Source);

    internal void Deliver(MdnsPacket packet)
    {
        lock (_deliverLock)
        {
            if (_closed) return;
            try
            {
                _handler(packet);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _faults);   // one user's bug must not stop the others' receiving
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_deliverLock)
        {
            if (_closed) return;
            _closed = true;
        }
        await _socket.ReleaseAsync(this).ConfigureAwait(false);
    }
}

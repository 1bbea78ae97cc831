using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace AmebaOta.Discovery.Dns;

/// <summary>
/// Parses a DNS message from a span. Everything is bounds-checked: a truncated packet, a compression pointer that does
/// not go strictly backwards (loops), a name over 255 bytes, counts that cannot fit in the packet, or record data that
/// overruns its length all throw <see cref="DnsFormatException"/>; nothing is allocated beyond the decoded objects,
/// and their number is bounded by the packet size.
/// </summary>
internal static class DnsReader
{
    private const int MinQuestionBytes = 5;   // root name + type + class
    private const int MinRecordBytes = 11;    // root name + type + class + ttl + rdlength
    private const int MaxLabels = 128;

    public static DnsMessage Read(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < DnsHeader.Size) throw new DnsFormatException($"packet of {packet.Length} bytes is shorter than a DNS header");
        var header = new DnsHeader(BinaryPrimitives.ReadUInt16BigEndian(packet), BinaryPrimitives.ReadUInt16BigEndian(packet[2..]));
        int qd = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        int ns = BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
        int ar = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        long needed = (long)qd * MinQuestionBytes + (long)(an + ns + ar) * MinRecordBytes;
        if (needed > packet.Length - DnsHeader.Size)
            throw new DnsFormatException($"counts ({qd} questions, {an + ns + ar} records) cannot fit in {packet.Length} bytes");

        int pos = DnsHeader.Size;
        var message = new DnsMessage
        {
            Header = header,
            Questions = new List<DnsQuestion>(qd),
            Answers = new List<DnsRecord>(an),
            Authorities = new List<DnsRecord>(ns),
            Additionals = new List<DnsRecord>(ar),
        };
        for (int i = 0; i < qd; i++) message.Questions.Add(ReadQuestion(packet, ref pos));
        for (int i = 0; i < an; i++) message.Answers.Add(ReadRecord(packet, ref pos));
        for (int i = 0; i < ns; i++) message.Authorities.Add(ReadRecord(packet, ref pos));
        for (int i = 0; i < ar; i++) message.Additionals.Add(ReadRecord(packet, ref pos));
        return message;
    }

    private static DnsQuestion ReadQuestion(ReadOnlySpan<byte> packet, ref int pos)
    {
        var name = ReadName(packet, ref pos);
        Need(packet, pos, 4, "question");
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(packet[pos..]);
        ushort cls = BinaryPrimitives.ReadUInt16BigEndian(packet[(pos + 2)..]);
        pos += 4;
        return new DnsQuestion(name, (DnsRecordType)type, (DnsClass)(cls & 0x7FFF), (cls & 0x8000) != 0);
    }

    private static DnsRecord ReadRecord(ReadOnlySpan<byte> packet, ref int pos)
    {
        var name = ReadName(packet, ref pos);
        Need(packet, pos, 10, "record header");
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(packet[pos..]);
        ushort rawClass = BinaryPrimitives.ReadUInt16BigEndian(packet[(pos + 2)..]);
        uint ttl = BinaryPrimitives.ReadUInt32BigEndian(packet[(pos + 4)..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(packet[(pos + 8)..]);
        pos += 10;
        Need(packet, pos, length, "record data");
        int start = pos, end = pos + length;
        pos = end;
        var cls = (DnsClass)(rawClass & 0x7FFF);
        bool flush = (rawClass & 0x8000) != 0;
        var data = packet[start..end];
        switch ((DnsRecordType)type)
        {
            case DnsRecordType.A:
                if (length != 4) throw new DnsFormatException($"A record data is {length} bytes, not 4");
                return new ARecord(name, ttl, new IPAddress(data), flush, cls);
            case DnsRecordType.Aaaa:
                if (length != 16) throw new DnsFormatException($"AAAA record data is {length} bytes, not 16");
                return new AaaaRecord(name, ttl, new IPAddress(data), flush, cls);
            case DnsRecordType.Ptr:
            {
                int p = start;
                var target = ReadName(packet[..end], ref p);
                ExpectEnd(p, end, "PTR");
                return new PtrRecord(name, ttl, target, flush, cls);
            }
            case DnsRecordType.Srv:
            {
                if (length < 7) throw new DnsFormatException($"SRV record data is {length} bytes, fewer than 7");
                int p = start + 6;
                var target = ReadName(packet[..end], ref p);
                ExpectEnd(p, end, "SRV");
                return new SrvRecord(name, ttl, BinaryPrimitives.ReadUInt16BigEndian(data), BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
                    BinaryPrimitives.ReadUInt16BigEndian(data[4..]), target, flush, cls);
            }
            case DnsRecordType.Txt:
                return new TxtRecord(name, ttl, ReadTxtStrings(data), flush, cls);
            case DnsRecordType.Nsec:
            {
                int p = start;
                var next = ReadName(packet[..end], ref p);
                return new NsecRecord(name, ttl, next, ReadTypeBitmaps(packet[p..end]), flush, cls);
            }
            default:
                return new UnknownRecord(name, ttl, type, data.ToArray(), flush, cls);
        }
    }

    private static byte[][] ReadTxtStrings(ReadOnlySpan<byte> data)
    {
        int count = 0;
        for (int p = 0; p < data.Length; p += 1 + data[p])
        {
            if (p + 1 + data[p] > data.Length) throw new DnsFormatException("TXT string runs past the record data");
            count++;
        }
        var strings = new byte[count][];
        for (int p = 0, i = 0; p < data.Length; p += 1 + data[p], i++) strings[i] = data.Slice(p + 1, data[p]).ToArray();
        return strings;
    }

    /// <summary>RFC 4034 §4.1.2 window blocks. A zero-length block (python3-zeroconf writes one) is accepted and holds no types.</summary>
    private static DnsRecordType[] ReadTypeBitmaps(ReadOnlySpan<byte> data)
    {
        int count = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            var types = pass == 0 ? null : new DnsRecordType[count];
            int n = 0;
            for (int p = 0; p < data.Length;)
            {
                if (p + 2 > data.Length) throw new DnsFormatException("NSEC bitmap window header truncated");
                int window = data[p], length = data[p + 1];
                if (length > 32 || p + 2 + length > data.Length) throw new DnsFormatException($"NSEC bitmap length {length} invalid");
                for (int b = 0; b < length; b++)
                    for (int bit = 0; bit < 8; bit++)
                        if ((data[p + 2 + b] & (0x80 >> bit)) != 0)
                        {
                            if (types is not null) types[n] = (DnsRecordType)(window << 8 | b << 3 | bit);
                            n++;
                        }
                p += 2 + length;
            }
            if (types is not null) return types;
            count = n;
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="pos"/> and moves past it. Every compression pointer must point
    /// strictly before everything read so far for this name, so loops are impossible; labels and total length are bounded.
    /// </summary>
    public static DnsName ReadName(ReadOnlySpan<byte> packet, ref int pos)
    {
        Span<int> starts = stackalloc int[MaxLabels];
        int count = 0, wire = 1, p = pos, lowest = pos;
        bool jumped = false;
        while (true)
        {
            if (p >= packet.Length) throw new DnsFormatException("name runs past the end of the packet");
            byte b = packet[p];
            if (b == 0)
            {
                if (!jumped) pos = p + 1;
                break;
            }
            switch (b & 0xC0)
            {
                case 0xC0:
                    if (p + 1 >= packet.Length) throw new DnsFormatException("compression pointer truncated");
                    int target = (b & 0x3F) << 8 | packet[p + 1];
                    if (target >= lowest) throw new DnsFormatException($"compression pointer at {p} to {target} does not point backwards (loop)");
                    if (!jumped) pos = p + 2;
                    jumped = true;
                    lowest = p = target;
                    continue;
                case 0:
                    if (p + 1 + b > packet.Length) throw new DnsFormatException("label runs past the end of the packet");
                    wire += 1 + b;
                    if (wire > DnsName.MaxWireLength) throw new DnsFormatException($"name longer than {DnsName.MaxWireLength} bytes");
                    if (count == MaxLabels) throw new DnsFormatException("too many labels");
                    starts[count++] = p;
                    p += 1 + b;
                    break;
                default:
                    throw new DnsFormatException($"unsupported label type 0x{b & 0xC0:x2}");
            }
        }
        var labels = new string[count];
        for (int i = 0; i < count; i++)
        {
            var label = packet.Slice(starts[i] + 1, packet[starts[i]]);
            labels[i] = KnownLabels.Get(label) ?? Encoding.UTF8.GetString(label);
        }
        return new DnsName(labels, wire);
    }

    private static void Need(ReadOnlySpan<byte> packet, int pos, int count, string what)
    {
        if (pos + count > packet.Length) throw new DnsFormatException($"{what} truncated at byte {pos} of {packet.Length}");
    }

    private static void ExpectEnd(int pos, int end, string what)
    {
        if (pos != end) throw new DnsFormatException($"{what} record data length does not match its name");
    }
}

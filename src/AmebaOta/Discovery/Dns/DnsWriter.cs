using System.Buffers.Binary;
using System.Text;

namespace AmebaOta.Discovery.Dns;

/// <summary>
/// Writes DNS messages into one reusable buffer (RFC 6762 §17: at most 9000 bytes), compressing names against every
/// name already written. Not thread-safe: one writer per sender. The span returned by <see cref="Write"/> is valid until
/// the next call.
/// </summary>
internal sealed class DnsWriter(int capacity = DnsWriter.MaxMessageSize)
{
    public const int MaxMessageSize = 9000;
    private const int MaxPointerOffset = 0x3FFF;
    private const int MaxEntries = 256;

    private readonly byte[] _buffer = new byte[capacity];
    private readonly int[] _labelOffsets = new int[MaxEntries];
    private int _entries;
    private int _pos;

    public ReadOnlySpan<byte> Write(DnsMessage message)
    {
        _pos = 0;
        _entries = 0;
        U16(message.Header.Id);
        U16(message.Header.Flags);
        U16(Count(message.Questions.Count));
        U16(Count(message.Answers.Count));
        U16(Count(message.Authorities.Count));
        U16(Count(message.Additionals.Count));
        foreach (var q in message.Questions)
        {
            Name(q.Name, compress: true);
            U16((ushort)q.Type);
            U16((ushort)((ushort)q.Class | (q.UnicastResponse ? 0x8000 : 0)));
        }
        foreach (var r in message.Answers) Record(r);
        foreach (var r in message.Authorities) Record(r);
        foreach (var r in message.Additionals) Record(r);
        return _buffer.AsSpan(0, _pos);
    }

    /// <summary>
    /// One packet of a query whose known answers may not fit one (RFC 6762 §7.2): <paramref name="questions"/> (the first
    /// packet's; none in the following ones), then known answers from <paramref name="from"/> while the packet stays within
    /// <paramref name="maxSize"/> bytes. <paramref name="next"/> is the first answer left out; when some are, the TC bit is set.
    /// </summary>
    public ReadOnlySpan<byte> WriteQueryPart(IReadOnlyList<DnsQuestion> questions, IReadOnlyList<DnsRecord> knownAnswers, int from, int maxSize, out int next)
    {
        _pos = 0;
        _entries = 0;
        U16(0);
        U16(0);
        U16(Count(questions.Count));
        U16(0);
        U16(0);
        U16(0);
        foreach (var q in questions)
        {
            Name(q.Name, compress: true);
            U16((ushort)q.Type);
            U16((ushort)((ushort)q.Class | (q.UnicastResponse ? 0x8000 : 0)));
        }
        if (_pos > maxSize) throw new DnsFormatException($"{questions.Count} questions do not fit in {maxSize} bytes");
        int i = from, written = 0;
        for (; i < knownAnswers.Count && written < ushort.MaxValue; i++)
        {
            int pos = _pos, entries = _entries;
            bool fits;
            try
            {
                Record(knownAnswers[i]);
                fits = _pos <= maxSize;
            }
            catch (DnsFormatException)
            {
                fits = false;
            }
            if (!fits)
            {
                _pos = pos;
                _entries = entries;
                if (written == 0 && questions.Count == 0) i++;   // a record that fits no packet (too big, unwritable): skip it rather than loop
                break;
            }
            written++;
        }
        next = i;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), (ushort)(next < knownAnswers.Count ? DnsHeader.TruncatedFlag : 0));
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(6), (ushort)written);
        return _buffer.AsSpan(0, _pos);
    }

    /// <summary>Just the record data, uncompressed (the form RFC 6762 §8.2 compares when two hosts probe for one name).</summary>
    public ReadOnlySpan<byte> WriteRecordData(DnsRecord record)
    {
        _pos = 0;
        _entries = 0;
        RecordData(record, compress: false);
        return _buffer.AsSpan(0, _pos);
    }

    private static ushort Count(int n) => n <= ushort.MaxValue ? (ushort)n : throw new DnsFormatException($"{n} entries do not fit a DNS count");

    private void Record(DnsRecord record)
    {
        Name(record.Name, compress: true);
        U16((ushort)record.Type);
        U16((ushort)((ushort)record.Class | (record.CacheFlush ? 0x8000 : 0)));
        U32(record.Ttl);
        int lengthAt = _pos;
        U16(0);
        int start = _pos;
        RecordData(record, compress: true);
        int length = _pos - start;
        if (length > ushort.MaxValue) throw new DnsFormatException("record data too long");
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthAt), (ushort)length);
    }

    private void RecordData(DnsRecord record, bool compress)
    {
        switch (record)
        {
            case ARecord a:
                Room(4);
                if (!a.Address.TryWriteBytes(_buffer.AsSpan(_pos), out int wa) || wa != 4) throw new DnsFormatException("bad IPv4 address");
                _pos += 4;
                break;
            case AaaaRecord a6:
                Room(16);
                if (!a6.Address.TryWriteBytes(_buffer.AsSpan(_pos), out int w6) || w6 != 16) throw new DnsFormatException("bad IPv6 address");
                _pos += 16;
                break;
            case PtrRecord p:
                Name(p.Target, compress);
                break;
            case SrvRecord s:
                U16(s.Priority);
                U16(s.Weight);
                U16(s.Port);
                Name(s.Target, compress);   // RFC 6762 §18.14 allows compression in SRV data
                break;
            case TxtRecord t:
                if (t.Strings.Count == 0) Byte(0);
                for (int i = 0; i < t.Strings.Count; i++)
                {
                    var s = t.Strings[i];
                    if (s.Length > TxtRecord.MaxStringLength) throw new DnsFormatException($"TXT string of {s.Length} bytes is longer than {TxtRecord.MaxStringLength}");
                    Byte((byte)s.Length);
                    Bytes(s);
                }
                break;
            case NsecRecord n:
                Name(n.NextName, compress: false);   // RFC 6762 §18.14: never compressed in NSEC
                TypeBitmaps(n.Types);
                break;
            case UnknownRecord u:
                Bytes(u.Data);
                break;
            default:
                throw new DnsFormatException($"cannot write record type {record.GetType().Name}");
        }
    }

    private void TypeBitmaps(IReadOnlyList<DnsRecordType> types)
    {
        Span<byte> window = stackalloc byte[32];
        Span<bool> used = stackalloc bool[256];
        for (int i = 0; i < types.Count; i++) used[(ushort)types[i] >> 8] = true;
        for (int w = 0; w < 256; w++)
        {
            if (!used[w]) continue;
            window.Clear();
            int length = 0;
            for (int i = 0; i < types.Count; i++)
            {
                if ((ushort)types[i] >> 8 != w) continue;
                int low = (ushort)types[i] & 0xFF;
                window[low >> 3] |= (byte)(0x80 >> (low & 7));
                length = Math.Max(length, (low >> 3) + 1);
            }
            Byte((byte)w);
            Byte((byte)length);
            Bytes(window[..length]);
        }
    }

    private void Name(DnsName name, bool compress)
    {
        Span<byte> label = stackalloc byte[DnsName.MaxLabelLength];
        var labels = name.Labels;
        int earlierNames = _entries;   // only names written before this one: its own labels are not complete yet
        for (int i = 0; i < labels.Count; i++)
        {
            if (compress && FindSuffix(labels, i, earlierNames) is int target and >= 0)
            {
                U16((ushort)(0xC000 | target));
                return;
            }
            if (compress && _pos <= MaxPointerOffset && _entries < MaxEntries) _labelOffsets[_entries++] = _pos;
            int n = Encoding.UTF8.GetBytes(labels[i], label);
            Byte((byte)n);
            Bytes(label[..n]);
        }
        Byte(0);
    }

    /// <summary>The offset of an already written name (among the first <paramref name="entries"/>) equal to <c>labels[from..]</c>, or -1.</summary>
    private int FindSuffix(IReadOnlyList<string> labels, int from, int entries)
    {
        Span<byte> label = stackalloc byte[DnsName.MaxLabelLength];
        for (int e = 0; e < entries; e++)
        {
            int p = _labelOffsets[e];
            bool match = true;
            for (int i = from; i < labels.Count && match; i++)
            {
                p = FollowPointers(p);
                int n = Encoding.UTF8.GetBytes(labels[i], label);
                if (_buffer[p] != n || !_buffer.AsSpan(p + 1, n).SequenceEqual(label[..n])) match = false;   // exact bytes: a pointer to "local" must not turn "LOCAL" into it (case is kept, RFC 4343)
                p += 1 + n;
            }
            if (match && _buffer[FollowPointers(p)] == 0) return _labelOffsets[e];
        }
        return -1;
    }

    private int FollowPointers(int p)
    {
        while ((_buffer[p] & 0xC0) == 0xC0) p = (_buffer[p] & 0x3F) << 8 | _buffer[p + 1];
        return p;
    }

    private void Room(int n)
    {
        if (_pos + n > _buffer.Length) throw new DnsFormatException($"message does not fit in {_buffer.Length} bytes");
    }

    private void Byte(byte b)
    {
        Room(1);
        _buffer[_pos++] = b;
    }

    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        Room(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
    }

    private void U16(ushort v)
    {
        Room(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_pos), v);
        _pos += 2;
    }

    private void U32(uint v)
    {
        Room(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_pos), v);
        _pos += 4;
    }
}

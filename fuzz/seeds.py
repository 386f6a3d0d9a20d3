#!/usr/bin/env python3
"""Writes the fuzz targets' seeds (fuzz/corpus/TARGET/*): run from the repository's root,
`python3 fuzz/seeds.py`. Each seed starts with the bytes its target reads first (the format,
the platform, the operation...: FUZZING.md); the webhook bodies are tests/fixtures/webhooks'.
The output is the same on every run (fixed zip timestamps)."""
import os, io, zipfile, json, base64, hmac, hashlib
root='fuzz/corpus'
def w(target,name,data):
    d=os.path.join(root,target); os.makedirs(d,exist_ok=True)
    if isinstance(data,str): data=data.encode()
    open(os.path.join(d,name),'wb').write(data)

csv_text=("Address Line 1,Unit,City,State,Zip,Country,Recipient Name,Phone,Email,Notes,Packages,Products,"
 "Latitude,Longitude,Earliest Time,Latest Time,Time at stop,Weight,Date,Client ID\r\n"
 "9 Rue de la Paix,2B,Paris,,75002,FR,Ana Lima,01 23 45 67 89,ana@example.com,\"Ring twice, \"\"code\"\" 1234\",2,Bread,"
 "48.8686,2.3314,09:00,12:30,5,1.5,2026-12-09,\n"
 "1 Place Bellecour,,Lyon,,69002,France,Bo,+33612345678,,,1,,,,9:00 AM,2026-12-09T17:00:00+01:00,,3 kg,09/12/2026,cli_01JD0000000000000000000000\n")
w('spreadsheet','csv-all-columns',b'\x00'+b'\xef\xbb\xbf'+csv_text.encode())
w('spreadsheet','tsv',b'\x01'+csv_text.replace(',','\t').encode())
w('spreadsheet','csv-minimal',b'\x00Address,City\n1 Rue,Lyon\n')

def xlsx(rows, shared=False, date_cell=True):
    b=io.BytesIO(); z=zipfile.ZipFile(b,'w',zipfile.ZIP_DEFLATED)
    z.writestr=(lambda f: (lambda name,data: f(zipfile.ZipInfo(name,(2026,1,1,0,0,0)),data,zipfile.ZIP_DEFLATED)))(z.writestr)
    z.writestr('[Content_Types].xml','<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    z.writestr('_rels/.rels','<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr('xl/workbook.xml','<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Stops" sheetId="1" r:id="rId1"/></sheets></workbook>')
    rels='<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    strings=[]
    def cell(ref,v):
        if isinstance(v,(int,float)):
            return f'<c r="{ref}"><v>{v}</v></c>'
        if shared:
            strings.append(v); return f'<c r="{ref}" t="s"><v>{len(strings)-1}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
    data=''
    for i,row in enumerate(rows):
        data+=f'<row r="{i+1}">'+''.join(cell(chr(65+j)+str(i+1),v) for j,v in enumerate(row))+'</row>'
    z.writestr('xl/worksheets/sheet1.xml','<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'+data+'</sheetData></worksheet>')
    if shared:
        rels+='<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        z.writestr('xl/sharedStrings.xml','<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'+''.join(f'<si><t>{s}</t></si>' for s in strings)+'</sst>')
    z.writestr('xl/_rels/workbook.xml.rels','<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'+rels+'</Relationships>')
    z.close(); return b.getvalue()
rows=[["Address Line 1","City","Zip","Recipient Name","Phone","Weight","Date","Earliest Time"],
      ["9 Rue de la Paix","Paris","75002","Ana Lima","0123456789",1.5,46000,0.375],
      ["1 Place Bellecour","Lyon",69002,"Bo","+33612345678","2 kg","2026-12-09","09:00"]]
w('spreadsheet','xlsx-inline',b'\x02'+xlsx(rows))
w('spreadsheet','xlsx-shared-strings',b'\x02'+xlsx(rows,shared=True))

# multipart: [len][content type][body]
def mp(ct, body):
    ct=ct.encode(); return bytes([len(ct)])+ct+body
body=(b'--XyZ\r\nContent-Disposition: form-data; name="step"\r\n\r\npreflight\r\n'
      b'--XyZ\r\nContent-Disposition: form-data; name="date"\r\n\r\n2026-12-09\r\n'
      b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="week 49.csv"\r\nContent-Type: text/csv\r\n\r\n'
      b'Address,City\r\n1 Rue,Lyon\r\n\r\n--XyZ--\r\n')
w('multipart','upload',mp('multipart/form-data; boundary=XyZ',body))
carried=(b'--==_Part:1\r\nContent-Disposition: form-data; name="step"\r\n\r\ncommit\r\n'
         b'--==_Part:1\r\nContent-Disposition: form-data; name="file_name"\r\n\r\nw.tsv\r\n'
         b'--==_Part:1\r\nContent-Disposition: form-data; name="file_data"\r\n\r\n'+base64.b64encode(b'Address\tCity\n1 Rue\tLyon\n')+b'\r\n'
         b'--==_Part:1\r\nContent-Disposition: form-data; name="file"; filename="a;\\"b\\".xlsx"\r\n\r\n\r\n--==_Part:1--\r\n')
w('multipart','carried-over',mp('multipart/form-data; charset=utf-8; boundary="==_Part:1"',carried))

# shop mappers: [selector][w0][w1][json]
fix='tests/fixtures/webhooks/'
w('shop_mappers','shopify-create',b'\x00\x00\x00'+open(fix+'shopify-orders-create.json','rb').read())
w('shop_mappers','shopify-cancel',b'\x01\xf4\x01'+b'{"id":450789469,"name":"#1001","cancelled_at":"2026-01-01T00:00:00Z"}')
w('shop_mappers','woo-create',b'\x03\xf4\x01'+open(fix+'woocommerce-order-created.json','rb').read())
w('shop_mappers','woo-cancelled',b'\x04\x00\x00'+b'{"id":727,"status":"cancelled"}')
generic={"externalId":"A-1","dropoff":{"address":{"line1":"9 Rue de la Paix","city":"Paris","postalCode":"75002","country":"FR"},"contact":{"name":"Ana","phone":"+33612345678"}},"weight":{"value":2.5,"units":"kg"},"pieces":2,"notes":"Fragile","draft":True}
w('shop_mappers','generic',b'\x06\x00\x00'+json.dumps(generic).encode())

# signatures: [platform][keylen][key][headers]\n\n[body]
vec=json.load(open(fix+'shopify-hmac-vector.json'))
sbody=open(fix+'shopify-hmac-vector.body.json','rb').read()[:600]
key=b'hush'
sig=base64.b64encode(hmac.new(key,sbody,hashlib.sha256).digest())
w('signatures','shopify',bytes([0,len(key)])+key+b'X-Shopify-Hmac-Sha256: '+sig+b'\nX-Shopify-Topic: orders/create\n\n'+sbody)
w('signatures','woocommerce-repeated',bytes([1,len(key)])+key+b'x-wc-webhook-signature: '+sig+b'\nx-wc-webhook-signature: '+sig+b'\n\n'+sbody)
skey=base64.b64decode('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
w('signatures','standard-webhooks',bytes([2,len(skey)])+skey+b'webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\nwebhook-timestamp: 1767225600\nwebhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1a,x\n\n{"test": 2432232314}')
w('signatures','secret-whsec',bytes([2,38])+b'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'+b'webhook-timestamp: -9223372036854775808\n\n{}')

# sms templates: template\0values...
w('sms_template','default','Hi {recipientName}, {courierName} is on the way with your order {orderShortId} from {clientName}. ETA {eta}. Track: {trackingLink}\x00Ana Lima\x00Speedy\x00Corner Bakery\x007KQ4MZ2P\x00Wed Sep 30, 12:45 PM\x00https://t.example/track/Xk3v9QpL2mN8rT5wY7zB1c\x00Sam\x00https://portal.example.com/')
w('sms_template','ucs2','{driverName} arrive \u00e0 {eta} \u2014 suivez {trackingLink} \U0001F69A\x00\u00c9lodie\x00\x00\x00\x00demain\x00https://x\x00Zo\u00eb')
w('sms_template','extended','[{recipientName}] ~ {eta} | \u20ac {orderShortId} ^{}\\\x00'+'x'*200)

# cursor: [query][cursor]
def cur(item): return base64.urlsafe_b64encode(json.dumps(item,separators=(',',':')).encode()).rstrip(b'=')
cou='cou_01JD0000000000000000000000'; cli='cli_01JD0000000000000000000000'
w('cursor','org',b'\x00'+cur({"PK":"ORG#"+cou,"SK":"IMPORT#imp_1"}))
w('cursor','imports',b'\x01'+cur({"PK":"ORG#"+cou,"SK":"IMPORT#imp_01JD"}))
w('cursor','gsi1',b'\x02'+cur({"PK":"x","SK":"y","GSI1PK":"CLIENT#"+cli+"#INTEGRATIONS","GSI1SK":"z"}))
w('cursor','search',b'\x04'+cur({"window":{"PK":"SEARCH#"+cou,"SK":"lyon#ord_1"},"after":"ord_01JD0000000000000000000000"}))
w('cursor','not-base64',b'\x03!!')

# json bodies: [operation][body]
ops=["createClient","updateClient","acceptInvitation","createApiKey","createUser","updateUser","createOrder","submitOrders","updateOrder","rejectOrder","recordTaskEvent","recordTaskLocation","putNotificationSettings","putTrackingPageSettings","createService","updateService","postChatMessage","createTeam","updateTeam","createRateTable","updateRateTable","putClientServices","createQuote","updateOrganizationSettings","createIntegration","updateIntegration","createWebhookEndpoint","updateWebhookEndpoint"]
stop={"address":{"line1":"9 Rue de la Paix","city":"Paris","postalCode":"75002","country":"FR","lat":48.8686,"lng":2.3314},"contact":{"name":"Ana Lima","phone":"+33612345678","email":"ana@example.com"},"window":{"completeAfter":"2026-12-09T09:00:00+01:00","completeBefore":"2026-12-09T12:00:00+01:00"},"notes":"Ring"}
bodies={
 "createClient":{"name":"Corner Bakery","email":"bake@example.com","allowOrderUpload":True,"defaultPickup":{k:v for k,v in stop.items() if k!="window"}},
 "updateClient":{"name":"Corner","version":2},
 "acceptInvitation":{"label":"Shop"},
 "createApiKey":{},
 "createUser":{"email":"sam@example.com","name":"Sam","role":"member"},
 "updateUser":{"role":"admin"},
 "createOrder":{"pickup":stop,"dropoff":stop,"weight":{"value":2.5,"units":"kg"},"pieces":2,"notes":"x","externalId":"A-1","draft":True},
 "submitOrders":{"orderIds":["ord_01JD0000000000000000000000"]},
 "updateOrder":{"weight":None,"pieces":3,"version":1},
 "rejectOrder":{"reason":"Out of area"},
 "recordTaskEvent":{"type":"started","driver":{"name":"Sam","phone":"+33612345678"},"eta":"2026-12-09T10:00:00Z","location":{"lat":48.8,"lng":2.3}},
 "recordTaskLocation":{"lat":48.8,"lng":2.3,"at":"2026-12-09T09:00:00+01:00"},
 "putNotificationSettings":{"language":"fr","timezone":"Europe/Paris","templates":{"dropoff":{"started":"Hi {recipientName}, {eta}","arriving":None}},"arrivingMinutes":10},
 "putTrackingPageSettings":{"showDriverName":True},
 "createService":{"name":"Express","sla":{"kind":"same_day","hours":2},"availability":{"days":["mon","sat"],"from":"08:00","to":"20:00"},"holidays":["2026-12-25"],"area":{"postalCodePrefixes":["75","92"]},"maxWeightKg":20,"maxPieces":5,"cutoff":"17:00"},
 "updateService":{"sla":{"kind":"next_day","by":"12:00"},"holidays":None},
 "postChatMessage":{"text":"Hello","clientId":cli},
 "createTeam":{"name":"North"},
 "updateTeam":{"name":"South","version":1},
 "createRateTable":{"name":"Km","currency":"EUR","base":{"method":"distance","amount":120},"modifiers":[{"when":"weight_over","threshold":10,"amountPerUnit":50},{"when":"pieces_over","threshold":3,"amount":200}],"minPrice":500,"maxPrice":100000},
 "updateRateTable":{"minPrice":None,"currency":"USD"},
 "putClientServices":{"services":[]},
 "createQuote":{"dropoff":stop,"readyBy":"2026-12-09T09:00:00+01:00","weight":2,"pieces":1},
 "updateOrganizationSettings":{"name":"Speedy","timezone":"Europe/Paris","units":"imperial","logoUrl":"https://example.com/l.png"},
 "createIntegration":{"platform":"generic","name":"Shop","defaultWeightPerPieceKg":0.5},
 "createWebhookEndpoint":{"url":"https://hooks.example.com/portal?x=1","eventTypes":["order.created"],"description":"Shop"},
 "updateWebhookEndpoint":{"url":"https://[2001:db8::1]:8443/h","enabled":False,"description":None,"version":1},
 "updateIntegration":{"addSecret":{"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},"version":1},
}
for i,op in enumerate(ops):
    w('json_bodies',op,bytes([i])+json.dumps(bodies[op]).encode())

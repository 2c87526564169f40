def sync_all():
	pass
